"""The sales funnel as three scripted reports on the frame (crmkit.reports): the funnel of a
pipeline and period, the same side by side by employee, department or office, and the open deals
per stage as of a date. The SQL is in ``funnel_sql``; here are the tables, charts and drill-downs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, select

from crmkit.core.access.models import Department, Office
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal
from crmkit.core.pipelines.reports import common, funnel_data, funnel_sql, raw
from crmkit.core.pipelines.reports.funnel_data import Funnel, StageFigures
from crmkit.core.pipelines.reports.funnel_sql import StageRef
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Chart, Column, Dimension, Filter, Report, Result, Row, Series
from crmkit.reports.context import Context, as_date

CHARTED = 10  # keys drawn side by side; the table has them all
NONE = "none"  # the figure key of deals with no employee, department or office (an empty one is dropped from links)
BAR = ("office", "department", "employee", "pipeline", "source")


def shown_stages(funnel: Funnel | None, stages: list[StageRef]) -> list[StageRef]:
    """The stages of the table: all but archived ones nobody entered."""
    entered = {f.stage.id for f in funnel.stages if f.entered} if funnel else set()
    return [s for s in stages if names.stages()[s.id].archived_at is None or s.id in entered]


def stage_row(ctx: Context, figures: StageFigures, funnel: Funnel, stages: list[StageRef], currency: str) -> Row:
    """A stage's figures; the first won stage also carries the win rate (as its conversion), the
    won deals' average amount and cycle, and the first lost stage the share lost."""
    stage = figures.stage
    values: dict[str, Any] = {"stage": common.stage_label(stage.id), "entered": figures.entered,
                              "conversion": common.percent(figures.conversion),
                              "avg_days": common.days(figures.avg_seconds), "median_days": common.days(figures.median_seconds),
                              "won_average": None, "cycle_days": None}
    entered = common.figure_args(ctx, stages=stage.id)
    drill = {"entered": entered, "avg_days": entered, "median_days": entered}
    won_ids = ",".join(str(s.id) for s in stages if s.kind == "won")
    if stage.kind in ("won", "lost") and stage.id == next(s.id for s in stages if s.kind == stage.kind):
        share = funnel.win_rate if stage.kind == "won" else (1 - funnel.win_rate if funnel.win_rate is not None else None)
        values["conversion"] = common.percent(share)
    if stage.kind == "won" and str(stage.id) == won_ids.split(",")[0]:
        values.update(won_average=funnel.won_average, cycle_days=common.days(funnel.cycle_seconds))
        drill["won_average"] = common.figure_args(ctx, stages=won_ids, currency=currency)
        drill["cycle_days"] = common.figure_args(ctx, stages=won_ids)
    return Row(values, {name: args for name, args in drill.items() if values.get(name) not in (None, 0)})


def funnel_script(ctx: Context) -> Result:
    currency = "KZT"
    pipeline = common.pipeline_of(ctx)
    if pipeline is not None:
        currency = common.currency_of(ctx, pipeline)
    columns = [Column("stage", _l("Stage"), "text"), Column("entered", _l("Deals entered"), "int"),
               Column("conversion", _l("Conversion to the next stage, %"), "percent"),
               Column("avg_days", _l("Average days in stage"), "decimal"),
               Column("median_days", _l("Median days in stage"), "decimal"),
               Column("won_average", _l("Average won deal, %(currency)s", currency=currency), "money"),
               Column("cycle_days", _l("Days from creation to won"), "decimal")]
    if pipeline is None:
        return Result(columns, [])
    stages = funnel_data.stage_refs(ctx.db, pipeline.id)
    found = funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, ctx.now, currency)
    funnel = found[0] if found else funnel_data.empty(stages)
    rows = [stage_row(ctx, funnel.stage(stage.id), funnel, stages, currency) for stage in shown_stages(funnel, stages)]
    charted = [r for r, s in zip(rows, shown_stages(funnel, stages), strict=True) if s.kind != "lost"]
    chart = Chart("funnel", [r.values["stage"] for r in charted], [Series(_l("Deals entered"), [r.values["entered"] for r in charted])])
    return Result(columns, rows, chart)


# side by side
def key_names(ctx: Context, dimension: str, keys: list[Any]) -> dict[Any, str]:
    if dimension == "owner":
        found = ctx.user_names(keys)
        return {**found, None: _("Nobody")}
    model = Department if dimension == "department" else Office
    rows = ctx.db.execute(select(model.id, model.name).where(model.id.in_([k for k in keys if k is not None])))
    return {**{row.id: row.name for row in rows}, None: _("No department") if dimension == "department" else _("No office")}


def side_row(ctx: Context, funnel: Funnel, shown: list[StageRef], currency: str, label: str, key: str | None) -> Row:
    """One group's funnel (``key``: its figure key, ``NONE`` for deals of no group; None for the totals)."""
    values: dict[str, Any] = {"key": label}
    drill: dict[str, dict[str, str]] = {}
    won_ids = ",".join(str(s.id) for s in shown if s.kind == "won")
    for stage in shown:
        values[f"stage_{stage.id}"] = funnel.stage(stage.id).entered
        drill[f"stage_{stage.id}"] = common.figure_args(ctx, stages=stage.id, key=key)
    values.update(win_rate=common.percent(funnel.win_rate), won_total=funnel.won_total, won_average=funnel.won_average,
                  cycle_days=common.days(funnel.cycle_seconds))
    for name in ("won_total", "won_average"):
        drill[name] = common.figure_args(ctx, stages=won_ids, currency=currency, key=key)
    drill["cycle_days"] = common.figure_args(ctx, stages=won_ids, key=key)
    return Row(values, {name: found for name, found in drill.items() if values.get(name) not in (None, 0)})


def side_by_side_script(ctx: Context) -> Result:
    pipeline = common.pipeline_of(ctx)
    dimension = common.dimension_of(ctx)
    heading = {"owner": _l("Employee"), "department": _l("Department"), "office": _l("Office")}[dimension]
    if pipeline is None:
        return Result([Column("key", heading, "text")], [])
    currency = common.currency_of(ctx, pipeline)
    stages = funnel_data.stage_refs(ctx.db, pipeline.id)
    funnels = funnel_data.period_funnels(ctx.db, common.stays(ctx), stages, ctx.start, ctx.end, ctx.now, currency, dimension,
                                         timed=False)
    total = funnel_data.total(funnels, stages)
    shown = shown_stages(total, stages)
    columns = [Column("key", heading, "text"),
               *(Column(f"stage_{s.id}", common.stage_label(s.id), "int") for s in shown),
               Column("win_rate", _l("Win rate, %"), "percent"),
               Column("won_total", _l("Won, %(currency)s", currency=currency), "money"),
               Column("won_average", _l("Average won deal, %(currency)s", currency=currency), "money"),
               Column("cycle_days", _l("Days from creation to won"), "decimal")]
    labels = key_names(ctx, dimension, [f.key for f in funnels])
    rows = [side_row(ctx, f, shown, currency, labels.get(f.key, str(f.key)), NONE if f.key is None else str(f.key))
            for f in funnels]
    rows.sort(key=lambda r: (-(r.values.get(f"stage_{shown[0].id}") or 0), str(r.values["key"])))
    totals = side_row(ctx, total, shown, currency, _("Total"), None)
    charted = [s for s in shown if s.kind != "lost"]
    chart = Chart("bar", [common.stage_label(s.id) for s in charted],
                  [Series(r.values["key"], [r.values[f"stage_{s.id}"] for s in charted]) for r in rows[:CHARTED]])
    return Result(columns, rows, chart, totals)


# as of a date
def as_of(ctx: Context) -> datetime:
    """The end of the day chosen (in the user's zone), or now for today or none."""
    day = as_date(ctx.values.get("on") or "")
    return min(ctx.moment(day + timedelta(days=1)), ctx.now) if day else ctx.now


def as_of_script(ctx: Context) -> Result:
    pipeline = common.pipeline_of(ctx)
    currency = common.currency_of(ctx, pipeline) if pipeline is not None else "KZT"
    columns = [Column("stage", _l("Stage"), "text"), Column("deals", _l("Open deals"), "int"),
               Column("amount", _l("Amount, %(currency)s", currency=currency), "money")]
    if pipeline is None:
        return Result(columns, [])
    moment = as_of(ctx)
    stages = [s for s in funnel_data.stage_refs(ctx.db, pipeline.id) if s.kind == "open"]
    found = funnel_data.snapshots(ctx.db, common.stays(ctx), stages, moment, currency)
    snapshot = found[0] if found else funnel_data.Snapshot(0)
    rows = []
    for stage in stages:
        count, amount = snapshot.deals.get(stage.id, 0), snapshot.amounts.get(stage.id)
        drill = {"deals": common.figure_args(ctx, at_stage=stage.id)} if count else {}
        if amount is not None:
            drill["amount"] = common.figure_args(ctx, at_stage=stage.id, currency=currency)
        rows.append(Row({"stage": common.stage_label(stage.id), "deals": count, "amount": amount}, drill))
    chart = Chart("bar", [r.values["stage"] for r in rows], [Series(_l("Open deals"), [r.values["deals"] for r in rows])])
    return Result(columns, rows, chart)


# the frame's "by" switch; the script groups by the owner, the owner's department or its office itself
DIMENSIONS = (
    Dimension("employee", _l("Employee"), column="owner_id"),
    Dimension("department", _l("Department"), column="owner_id"),
    Dimension("office", _l("Office"), column="owner_id"),
)


def members(ctx: Context, figure: dict[str, str]):
    """The ids of the deals behind a figure (the frame's drill-down, ``?in_report=``): ``stages``
    entered in the period, or ``at_stage`` held at the report's date; of one group by ``key`` (``NONE``
    for deals of none) in the side-by-side report; with ``currency``, those with an amount in it."""
    common.pipeline_of(ctx)
    currency = figure.get("currency") or None
    try:
        if "at_stage" in figure:
            return funnel_sql.held_members(common.stays(ctx), int(figure["at_stage"]), as_of(ctx), currency)
        stage_ids = [int(part) for part in figure.get("stages", "").split(",") if part]
        key = figure.get("key")
        grouped = common.dimension_of(ctx) if key is not None else None
        group = (None if key == NONE else int(key)) if key is not None else None
    except ValueError:
        return select(Deal.id).where(false())
    return funnel_sql.entered_members(common.stays(ctx), stage_ids, ctx.start, ctx.end, grouped, group, currency)


def reports() -> list[Report]:
    shared = {"entity": "deal", "pipeline_field": "pipeline_id", "source_field": "source"}
    return [
        Report("funnel", _l("Sales funnel"), description=_l(
            "Deals entering each stage in the period, conversion, time in stage, win rate, won deal size and cycle."),
            filters=(common.CURRENCY,), chart="funnel", script=funnel_script, members=members, raw_sql=raw.funnel_sql,
            order=10, **shared),
        Report("funnel_by", _l("Sales funnel side by side"), description=_l(
            "The funnel of each employee, department or office, with win rate, won amount and cycle."),
            dimensions=DIMENSIONS, filters=(common.CURRENCY,), script=side_by_side_script, members=members,
            raw_sql=raw.funnel_by_sql, order=11, **shared),
        Report("funnel_as_of", _l("Open deals as of a date"), description=_l(
            "Which stage each open deal was in at the end of a day, rebuilt from the stage history."),
            filters=(Filter("on", _l("As of"), kind="date"), common.CURRENCY), common=BAR, period_field=None,
            chart="bar", script=as_of_script, members=members, order=12, **shared),
    ]
