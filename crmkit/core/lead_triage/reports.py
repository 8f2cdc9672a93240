"""The leads reports on the reports frame: leads, conversion, time to first response and the
revenue of won deals per channel and source; the rejection reasons; the outcomes of quality
control. Each figure is an SQL aggregate over the leads the reader sees (the frame's visibility
and filter bar in the same SQL) and links to the lead list showing exactly its leads (the frame's
``members``, ``?in_report=``).

Leads are counted by when they arrived (``received_at``, the period of the bar) and for their
owner; a lead's revenue is the final amount of the won deal it was converted into, in the chosen
currency, counted once per deal (through the deal's origin: the first lead converted into it),
by the channel and source the lead had then.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, false, func, select

from crmkit.core.lead_triage import report_sql
from crmkit.core.lead_triage.models import DealOrigin, Review
from crmkit.core.leads.channels import channel_label, declared
from crmkit.core.leads.models import REJECTION_REASONS, REPROCESS_REASONS, Lead
from crmkit.core.leads.sources import all_sources, source_name
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import CURRENCIES, Deal
from crmkit.core.pipelines.reports.funnel_sql import median
from crmkit.entities.transitions import seconds_between
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import Chart, Column, Dimension, Filter, Report, Result, Row, Series
from crmkit.reports.context import Context

NONE = "none"
MAX_ROWS = 500
COMMON = ("period", "office", "department", "employee")
BY = {"channel": _l("Channel"), "source": _l("Source"), "channel_source": _l("Channel and source")}


def channel_choices(_ctx: Context) -> list[tuple[str, Any]]:
    return [(key, source.label) for key, source in declared().items()]


def source_choices(_ctx: Context) -> list[tuple[str, Any]]:
    return [(str(source_id), source_name(source_id)) for source_id in sorted(all_sources())]


def source_condition(_ctx: Context, table, value: str):
    return table.c.source_id == int(value) if str(value).isdigit() else false()


FILTERS = (
    Filter("channel", _l("Channel"), choices=channel_choices, column="channel"),
    Filter("lead_source", _l("Source"), choices=source_choices, condition=source_condition),
)
CURRENCY = Filter("currency", _l("Revenue in"), choices=lambda ctx: [(c, c) for c in CURRENCIES])  # read by the script


def groups(ctx: Context, table) -> list:
    """The columns the figures are grouped by, as the bar's ``by`` chose."""
    by = ctx.values.get("by")
    if by == "source":
        return [table.c.source_id.label("source")]
    if by == "channel_source":
        return [table.c.channel.label("channel"), table.c.source_id.label("source")]
    return [table.c.channel.label("channel")]


def key_of(row: Any, names_: list[str]) -> tuple:
    return tuple(getattr(row, name) for name in names_)


def figure_of(key: tuple, names_: list[str]) -> dict[str, str]:
    return {name: NONE if value is None else str(value) for name, value in zip(names_, key, strict=True)}


def label_of(key: tuple, names_: list[str]) -> str:
    shown = []
    for name, value in zip(names_, key, strict=True):
        if name == "channel":
            shown.append(channel_label(value))
        else:
            shown.append(source_name(value) if value is not None else _("No source"))
    return " · ".join(shown)


def lead_conditions(ctx: Context, table) -> list:
    return ctx.conditions(table)


def won_stage_ids() -> list[int]:
    return [stage.id for stage in names.stages().values() if stage.kind == "won"]


def leads_script(ctx: Context) -> Result:
    table = Lead.__table__
    keys = groups(ctx, table)
    key_names = [key.name for key in keys]
    conditions = lead_conditions(ctx, table)
    converted = func.count(case((table.c.status == "converted", 1)))
    counted = ctx.db.execute(select(*keys, func.count().label("leads"), converted.label("converted"))
                             .where(*conditions).group_by(*keys).order_by(func.count().desc()).limit(MAX_ROWS)).all()
    medians = response_medians(ctx, keys, key_names, conditions)
    currency = report_sql.currency_of(ctx)
    revenue = won_revenue(ctx, key_names, currency)
    rows = []
    for found in counted:
        key = key_of(found, key_names)
        won, amount = revenue.get(key, (0, None))
        figure = figure_of(key, key_names)
        values = {"group": label_of(key, key_names), "leads": found.leads, "converted": found.converted,
                  "conversion": report_sql.percent(found.converted, found.leads), "response": medians.get(key),
                  "won": won, "revenue": amount}
        drill = {"leads": ctx.members_args(**figure), "converted": ctx.members_args(**figure, what="converted")}
        if values["response"] is not None:
            drill["response"] = ctx.members_args(**figure, what="responded")
        if won:
            drill["won"] = drill["revenue"] = ctx.members_args(**figure, what="won", currency=currency)
        rows.append(Row(values, drill))
    columns = [Column("group", BY.get(ctx.values.get("by"), BY["channel"]), "text"), Column("leads", _l("Leads")),
               Column("converted", _l("Converted")), Column("conversion", _l("Conversion, %"), "percent"),
               Column("response", _l("Median time to first response"), "duration"),
               Column("won", _l("Won deals")), Column("revenue", _l("Revenue, %(currency)s", currency=currency), "money")]
    totals = totals_row(ctx, conditions, currency)
    chart = Chart("hbar" if len(rows) > 8 else "bar", [r.values["group"] for r in rows],
                  [Series(_l("Leads"), [r.values["leads"] for r in rows]), Series(_l("Converted"), [r.values["converted"] for r in rows])])
    return Result(columns, rows, chart, totals)


def response_medians(ctx: Context, keys: list, key_names: list[str], conditions: list) -> dict[tuple, int]:
    """The median seconds from arrival to the first response, per group, in the database."""
    table = Lead.__table__
    seconds = seconds_between(ctx.dialect, table.c.received_at, table.c.first_response_at).label("seconds")
    inner = select(*keys, seconds).where(*conditions, table.c.first_response_at.is_not(None)).subquery("responded")
    source, expression = median(ctx.dialect, inner.c.seconds, [inner.c[name] for name in key_names], inner)
    grouped = [source.c[name] for name in key_names]
    statement = select(*grouped, expression.label("median")).select_from(source).group_by(*grouped)
    return {tuple(row[:-1]): None if row[-1] is None else int(round(float(row[-1]))) for row in ctx.db.execute(statement)}


def won_deals(ctx: Context, currency: str | None):
    """``(FROM, conditions)`` of the won deals the reader sees that came from the leads counted."""
    lead, deal, origin = Lead.__table__, Deal.__table__, DealOrigin.__table__
    source = origin.join(deal, deal.c.id == origin.c.deal_id).join(lead, lead.c.id == origin.c.lead_id)
    conditions = [*lead_conditions(ctx, lead), deal.c.archived_at.is_(None), ctx.visible("deal", deal.c.owner_id),
                  deal.c.stage_id.in_(won_stage_ids())]
    if currency:
        conditions.append(deal.c.currency == currency)
    return source, conditions


def won_revenue(ctx: Context, key_names: list[str], currency: str) -> dict[tuple, tuple[int, Any]]:
    source, conditions = won_deals(ctx, currency)
    origin, deal = DealOrigin.__table__, Deal.__table__
    keys = [origin.c[name if name == "channel" else "source_id"].label(name) for name in key_names]
    statement = select(*keys, func.count().label("won"), func.sum(deal.c.won_amount).label("amount")).select_from(source)
    rows = ctx.db.execute(statement.where(*conditions).group_by(*keys)).all()
    return {key_of(row, key_names): (row.won, report_sql.decimal(row.amount)) for row in rows}


def totals_row(ctx: Context, conditions: list, currency: str) -> Row:
    table = Lead.__table__
    converted = func.count(case((table.c.status == "converted", 1)))
    leads, done = ctx.db.execute(select(func.count(), converted).where(*conditions)).one()
    source, won_conditions = won_deals(ctx, currency)
    deal = Deal.__table__
    won, amount = ctx.db.execute(select(func.count(), func.sum(deal.c.won_amount)).select_from(source).where(*won_conditions)).one()
    values = {"group": _("Total"), "leads": leads, "converted": done, "conversion": report_sql.percent(done, leads),
              "response": None, "won": won, "revenue": report_sql.decimal(amount)}
    drill = {"leads": ctx.members_args(all="1")} if leads else {}
    return Row(values, drill)


def leads_members(ctx: Context, figure: dict[str, str]):
    """The ids of the leads behind a figure: a group's (``channel``, ``source``), all of them
    (``all``), and of those the converted, the responded or those whose deal was won."""
    table = Lead.__table__
    statement = select(table.c.id).where(*lead_conditions(ctx, table))
    try:
        for name in ("channel", "source"):
            if name in figure:
                column = table.c.channel if name == "channel" else table.c.source_id
                raw = figure[name]
                statement = statement.where(column.is_(None) if raw == NONE else column == (raw if name == "channel" else int(raw)))
    except ValueError:
        return select(table.c.id).where(false())
    what = figure.get("what")
    if what == "converted":
        statement = statement.where(table.c.status == "converted")
    elif what == "responded":
        statement = statement.where(table.c.first_response_at.is_not(None))
    elif what == "won":
        source, conditions = won_deals(ctx, figure.get("currency"))
        won = select(DealOrigin.__table__.c.lead_id).select_from(source).where(*conditions)
        statement = statement.where(table.c.id.in_(won))
    return statement


# rejection reasons
def rejections_script(ctx: Context) -> Result:
    table = Lead.__table__
    conditions = [*lead_conditions(ctx, table), table.c.rejection_reason.is_not(None)]
    found = ctx.db.execute(select(table.c.rejection_reason, func.count().label("leads")).where(*conditions)
                           .group_by(table.c.rejection_reason).order_by(func.count().desc())).all()
    total = sum(row.leads for row in found)
    rows = [Row({"reason": str(REJECTION_REASONS.get(row.rejection_reason, row.rejection_reason)), "leads": row.leads,
                 "share": report_sql.percent(row.leads, total)},
                {"leads": ctx.members_args(reason=row.rejection_reason)}) for row in found]
    columns = [Column("reason", _l("Rejection reason"), "text"), Column("leads", _l("Leads")), Column("share", _l("Share, %"), "percent")]
    totals = Row({"reason": _("Total"), "leads": total, "share": report_sql.percent(total, total) if total else None},
                 {"leads": ctx.members_args(reason="*")} if total else {})
    chart = Chart("pie", [r.values["reason"] for r in rows], [Series(_l("Leads"), [r.values["leads"] for r in rows])])
    return Result(columns, rows, chart, totals)


def rejections_members(ctx: Context, figure: dict[str, str]):
    table = Lead.__table__
    statement = select(table.c.id).where(*lead_conditions(ctx, table), table.c.rejection_reason.is_not(None))
    if figure.get("reason", "*") != "*":
        statement = statement.where(table.c.rejection_reason == figure["reason"])
    return statement


# quality control
OUTCOMES = (("returned", _l("Returned to work")), ("confirmed", _l("Rejection confirmed")), (NONE, _l("Waiting")))


def review_source(ctx: Context):
    """``(FROM, conditions)`` of the rounds of quality control begun in the period, of the leads the
    reader sees (visibility, owners and the report's filters on the lead)."""
    lead, review = Lead.__table__, Review.__table__
    conditions = [*ctx.conditions(lead, period_field=None)]
    if ctx.start is not None:
        conditions.append(review.c.queued_at >= ctx.start)
    if ctx.end is not None:
        conditions.append(review.c.queued_at < ctx.end)
    return review.join(lead, lead.c.id == review.c.lead_id), conditions


def reprocessing_script(ctx: Context) -> Result:
    review = Review.__table__
    source, conditions = review_source(ctx)
    outcome = func.coalesce(review.c.outcome, NONE)
    found = ctx.db.execute(select(review.c.reason, outcome.label("outcome"), func.count().label("rounds"))
                           .select_from(source).where(*conditions).group_by(review.c.reason, outcome)).all()
    counts: dict[str, dict[str, int]] = {}
    for row in found:
        counts.setdefault(row.reason, {})[row.outcome] = row.rounds
    rows = []
    for reason, label in REPROCESS_REASONS.items():
        per = counts.get(reason, {})
        sent = sum(per.values())
        values = {"reason": str(label), "sent": sent, **{key: per.get(key, 0) for key, _label in OUTCOMES},
                  "returned_share": report_sql.percent(per.get("returned", 0), per.get("returned", 0) + per.get("confirmed", 0))}
        drill = {"sent": ctx.members_args(reason=reason)} if sent else {}
        drill.update({key: ctx.members_args(reason=reason, outcome=key) for key, _label in OUTCOMES if per.get(key)})
        rows.append(Row(values, drill))
    columns = [Column("reason", _l("Sent to quality control for"), "text"), Column("sent", _l("Sent")),
               *[Column(key, label) for key, label in OUTCOMES], Column("returned_share", _l("Returned of decided, %"), "percent")]
    chart = Chart("bar", [r.values["reason"] for r in rows],
                  [Series(label, [r.values[key] for r in rows]) for key, label in OUTCOMES])
    return Result(columns, rows, chart)


def reprocessing_members(ctx: Context, figure: dict[str, str]):
    review = Review.__table__
    source, conditions = review_source(ctx)
    statement = select(review.c.lead_id).select_from(source).where(*conditions)
    if figure.get("reason"):
        statement = statement.where(review.c.reason == figure["reason"])
    if figure.get("outcome") == NONE:
        statement = statement.where(review.c.outcome.is_(None))
    elif figure.get("outcome"):
        statement = statement.where(review.c.outcome == figure["outcome"])
    return statement


def declared_reports() -> list[Report]:
    by = tuple(Dimension(key, label, column="channel") for key, label in BY.items())  # the frame's "by" switch
    return [
        Report("leads", _l("Leads by channel and source"), "lead", period_field="received_at", common=COMMON,
               description=_l("Leads, conversion, the median time to the first response and the revenue of won deals per channel and source."),
               dimensions=by, filters=(*FILTERS, CURRENCY), script=leads_script, members=leads_members,
               raw_sql=report_sql.leads_sql, chart="bar", order=30),
        Report("lead_rejections", _l("Lead rejection reasons"), "lead", period_field="received_at", common=COMMON,
               description=_l("Why leads were rejected: each reason's count and share, of the leads that arrived in the period."),
               filters=FILTERS, script=rejections_script, members=rejections_members, chart="pie", order=31),
        Report("lead_reprocessing", _l("Lead quality control"), "lead", period_field="received_at", common=COMMON,
               description=_l("Leads sent to quality control in the period, by why they were sent, and what the controllers decided."),
               filters=FILTERS, script=reprocessing_script, members=reprocessing_members, chart="bar", order=32),
    ]
