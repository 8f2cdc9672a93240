"""Losses: the deals lost in a period (now in a lost stage, closed then) by loss reason or by the
competitor who won them, each optionally split per department or per month; counts and amounts
in one currency, one GROUP BY each, with visibility and the filter bar in the same SQL. Every
figure links to exactly its deals (the frame's ``?in_report=`` drill-down, ``members``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import case, false, func, select

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal, DealCompetitor
from crmkit.core.pipelines.reports import common, funnel_data
from crmkit.core.pipelines.reports.funnel import NONE
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Chart, Column, Dimension, Filter, Report, Result, Row, Series
from crmkit.reports.context import Context
from crmkit.reports.engine import bucket_label

CHARTED = 8  # series (departments or months) drawn; the table has them all
MAX_ROWS = 500
PER = (("department", _l("Department")), ("month", _l("Month")))  # none chosen (the bar's "any"): no split


def lost_stage_ids(ctx: Context) -> list[int]:
    chosen = ctx.values.get("pipeline")
    return [s.id for s in names.stages().values() if s.kind == "lost" and (chosen is None or s.pipeline_id == chosen)]


def grouping(ctx: Context):
    """``(FROM clause, group, split, conditions)`` of the lost deals as the bar chose them."""
    table = Deal.__table__
    source = table
    if ctx.values.get("by") == "competitor":
        rivals = DealCompetitor.__table__
        source = source.outerjoin(rivals, rivals.c.deal_id == table.c.id)
        group = rivals.c.organization_id
    else:
        group = table.c.loss_reason_id
    per = ctx.values.get("per")
    split = None
    if per == "department":
        owner = User.__table__
        source = source.outerjoin(owner, owner.c.id == table.c.owner_id)
        split = owner.c.department_id
    elif per == "month":
        split = ctx.bucket(table.c.closed_at, "month")
    conditions = [*ctx.conditions(table, where=False), table.c.stage_id.in_(lost_stage_ids(ctx))]
    return source, group, split, conditions


def currency_of(ctx: Context) -> str:
    pipeline = names.pipelines().get(ctx.values.get("pipeline"))
    return common.currency_of(ctx, pipeline) if pipeline is not None else (ctx.values.get("currency") or "KZT")


def group_names(ctx: Context, values: list[Any]) -> dict[Any, str]:
    if ctx.values.get("by") == "competitor":
        wanted = [v for v in values if v is not None]
        rows = ctx.db.execute(select(Organization.id, Organization.name).where(Organization.id.in_(wanted))) if wanted else []
        return {**{row.id: row.name for row in rows}, None: _("No competitor named")}
    return {**{v: names.loss_reason_name(v) for v in values if v is not None}, None: _("No reason")}


def split_names(ctx: Context, values: list[Any]) -> dict[Any, str]:
    if ctx.values.get("per") == "month":
        return {v: bucket_label("month", ctx.bucket_day(v)) for v in values if v is not None}
    wanted = [v for v in values if v is not None]
    rows = ctx.db.execute(select(Department.id, Department.name).where(Department.id.in_(wanted))) if wanted else []
    return {**{row.id: row.name for row in rows}, None: _("No department")}


def text_of(value: Any) -> str:
    """A group's or split's value as a figure's key: ids as digits, months as ISO dates, ``NONE`` for none."""
    if value is None:
        return NONE
    return Context.bucket_day(value).isoformat() if not isinstance(value, int) else str(value)


def script(ctx: Context) -> Result:
    currency = currency_of(ctx)
    source, group, split, conditions = grouping(ctx)
    table = Deal.__table__
    amount = case((table.c.currency == currency, table.c.amount))
    keys = [group.label("group")] + ([split.label("split")] if split is not None else [])
    statement = (select(*keys, func.count(table.c.id.distinct()).label("deals"), func.sum(amount).label("amount"))
                 .select_from(source).where(*conditions).group_by(*keys)
                 .order_by(func.count(table.c.id.distinct()).desc(), *keys).limit(MAX_ROWS))
    found = ctx.db.execute(statement).all()
    groups = group_names(ctx, [row.group for row in found])
    splits = split_names(ctx, [row.split for row in found]) if split is not None else {}
    heading = _l("Competitor") if ctx.values.get("by") == "competitor" else _l("Loss reason")
    columns = [Column("group", heading, "text")]
    if split is not None:
        columns.append(Column("split", _l("Month") if ctx.values.get("per") == "month" else _l("Department"), "text"))
    columns += [Column("deals", _l("Lost deals"), "int"), Column("amount", _l("Amount, %(currency)s", currency=currency), "money")]
    rows = []
    for row in found:
        figure = {"group": text_of(row.group), **({"split": text_of(row.split)} if split is not None else {})}
        values = {"group": groups.get(row.group, str(row.group)), "deals": row.deals, "amount": funnel_data.decimal(row.amount)}
        if split is not None:
            values["split"] = splits.get(row.split, str(row.split))
        drill = {"deals": common.figure_args(ctx, **figure)}
        if row.amount is not None:
            drill["amount"] = common.figure_args(ctx, currency=currency, **figure)
        rows.append(Row(values, drill))
    totals = totals_row(ctx, currency, split is not None)
    return Result(columns, rows, chart(rows, split is not None), totals)


def totals_row(ctx: Context, currency: str, split: bool) -> Row:
    """Every lost deal once (a deal two competitors won is one deal), and their amount."""
    table = Deal.__table__
    conditions = [*ctx.conditions(table, where=False), table.c.stage_id.in_(lost_stage_ids(ctx))]
    amount = case((table.c.currency == currency, table.c.amount))
    deals, total = ctx.db.execute(select(func.count(), func.sum(amount)).where(*conditions)).one()
    values = {"group": _("Total"), "deals": deals, "amount": funnel_data.decimal(total), **({"split": ""} if split else {})}
    drill = {"deals": common.figure_args(ctx, group="*")} if deals else {}
    if total is not None:
        drill["amount"] = common.figure_args(ctx, group="*", currency=currency)
    return Row(values, drill)


def chart(rows: list[Row], split: bool) -> Chart:
    """Lost deals per group; with a split, one series per department or month (the first ones)."""
    labels = list(dict.fromkeys(r.values["group"] for r in rows))
    if not split:
        return Chart("bar" if len(labels) <= 12 else "hbar", labels, [Series(_l("Lost deals"), [r.values["deals"] for r in rows])])
    series = list(dict.fromkeys(r.values["split"] for r in rows))[:CHARTED]
    counts = {(r.values["group"], r.values["split"]): r.values["deals"] for r in rows}
    return Chart("bar", labels, [Series(s, [counts.get((g, s), 0) for g in labels]) for s in series])


def members(ctx: Context, figure: dict[str, str]):
    """The ids of the lost deals behind a figure: of one ``group`` (``NONE`` none, "*" every one) and
    ``split``; with ``currency``, those with an amount in it."""
    source, group, split, conditions = grouping(ctx)
    table = Deal.__table__
    statement = select(table.c.id).select_from(source).where(*conditions)
    try:
        if figure.get("group", "*") != "*":
            statement = statement.where(equals(group, figure["group"]))
        if split is not None and "split" in figure:
            if ctx.values.get("per") == "month":
                first, after = ctx.bucket_bounds("month", date.fromisoformat(figure["split"]))
                statement = statement.where(table.c.closed_at >= first, table.c.closed_at < after)
            else:
                statement = statement.where(equals(split, figure["split"]))
    except ValueError:
        return select(table.c.id).where(false())
    if figure.get("currency"):
        statement = statement.where(table.c.currency == figure["currency"], table.c.amount.is_not(None))
    return statement


def equals(column, raw: str):
    return column.is_(None) if raw == NONE else column == int(raw)


def reports() -> list[Report]:
    return [Report(
        "losses", _l("Lost deals"), "deal",
        description=_l("Why deals were lost and to whom: loss reasons and competitors by count and amount, per department or month."),
        # the frame's "by" switch; the script groups by the reason or the competitors' join itself
        dimensions=(Dimension("reason", _l("Loss reason"), column="loss_reason_id"),
                    Dimension("competitor", _l("Competitor"), column="loss_reason_id")),
        filters=(Filter("per", _l("Split by"), choices=lambda ctx: list(PER)), common.CURRENCY),
        period_field="closed_at", pipeline_field="pipeline_id", source_field="source", chart="bar",
        script=script, members=members, order=13,
    )]
