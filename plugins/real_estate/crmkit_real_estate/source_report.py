"""The advertising sources report: leads and calls per source, overall or per object, with what
the placements cost and the cost per lead where costs are entered.

A lead counts for the source it names; an inbound call for the source whose tracking number it
dialled (Leads > Sources: "number"). Per object, only the leads and calls about the object (the
core's inventory links). A placement's whole cost counts in every period it overlaps; costs in
another currency than the bar's are left out, never converted.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, literal, or_, select

from crmkit import api
from crmkit.reports import Chart, Column, Filter, Report, Result, Row, Series
from crmkit_real_estate import counts
from crmkit_real_estate.counts import links
from crmkit_real_estate.offers import CURRENCIES
from crmkit_real_estate.sources import Placement

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

MAX_ROWS = 300
VIEWS = (("sources", _l("Overall, by source")), ("objects", _l("By object and source")))
NONE = "none"


def period(ctx, column) -> list[Any]:
    found = []
    if ctx.start is not None:
        found.append(column >= ctx.start)
    if ctx.end is not None:
        found.append(column < ctx.end)
    return found


def object_ids(ctx) -> Any:
    """The objects the user sees, narrowed to the listing number the bar names."""
    table = counts.model(counts.PROPERTY)
    where = [table.c.archived_at.is_(None), ctx.visible(counts.PROPERTY, table.c.owner_id)]
    if number := (ctx.values.get("object") or "").strip():
        where.append(table.c.number == number[:30])
    return select(table.c.id).where(*where)


def lead_counts(ctx, per_object: bool) -> dict[tuple, int]:
    """``{(object id or None, source id or None): leads}`` received in the period."""
    lead = ctx.table("lead")
    where = [*ctx.conditions(lead, period_field=None), *period(ctx, lead.c.received_at)]
    if not per_object and not ctx.values.get("object"):
        statement = select(literal(None), lead.c.source_id, func.count()).where(*where).group_by(lead.c.source_id)
    else:
        statement = (select(links.c.item_id, lead.c.source_id, func.count()).select_from(links)
                     .join(lead, lead.c.id == links.c.subject_id)
                     .where(*where, *counts.linked("lead"), links.c.item_id.in_(object_ids(ctx)))
                     .group_by(links.c.item_id, lead.c.source_id).order_by(func.count().desc()).limit(MAX_ROWS))
    return {((item if per_object else None), source): n for item, source, n in ctx.db.execute(statement)}


def call_counts(ctx, per_object: bool, numbers: dict[str, int]) -> dict[tuple, int]:
    """``{(object id or None, source id): calls}``: inbound calls to a source's tracking number
    (grouped by the number dialled, our own lines: a handful of groups)."""
    if not numbers:
        return {}
    activity = ctx.table("activity")
    where = [activity.c.archived_at.is_(None), activity.c.kind == "call", activity.c.direction == "inbound",
             activity.c.our_address.is_not(None), ctx.visible("activity", activity.c.owner_id),
             *period(ctx, activity.c.happened_at)]
    owners = ctx.owners()
    if owners is not None:
        where.append(activity.c.owner_id.in_(sorted(owners)) if owners else literal(False))
    if not per_object and not ctx.values.get("object"):
        statement = select(literal(None), activity.c.our_address, func.count()).where(*where).group_by(activity.c.our_address)
    else:
        statement = (select(links.c.item_id, activity.c.our_address, func.count()).select_from(links)
                     .join(activity, activity.c.id == links.c.subject_id)
                     .where(*where, *counts.linked("activity"), links.c.item_id.in_(object_ids(ctx)))
                     .group_by(links.c.item_id, activity.c.our_address).limit(MAX_ROWS * 4))
    found: dict[tuple, int] = {}
    for item, number, n in ctx.db.execute(statement):  # a few lines of the agency's own per object
        source = counts.source_of(number, numbers)
        if source is not None:
            key = (item if per_object else None, source)
            found[key] = found.get(key, 0) + n
    return found


def placement_figures(ctx, per_object: bool) -> dict[tuple, tuple[int, Decimal | None]]:
    """``{(object id or None, source id): (placements, cost in the bar's currency)}`` overlapping the period."""
    table = Placement.__table__
    currency = ctx.values.get("currency") or "KZT"
    first, last = ctx.days()
    where = [table.c.archived_at.is_(None), ctx.visible("real_estate.placement", table.c.owner_id)]
    if last is not None:
        where.append(table.c.started_on <= last)
    if first is not None:
        where.append(or_(table.c.ended_on.is_(None), table.c.ended_on >= first))
    if per_object or ctx.values.get("object"):
        where.append(table.c.property_id.in_(object_ids(ctx)))
    item = table.c.property_id if per_object else literal(None)
    cost = func.sum(case((table.c.currency == currency, table.c.cost)))
    statement = select(item, table.c.source_id, func.count(), cost).where(*where).group_by(item, table.c.source_id)
    return {(obj, source): (n, total) for obj, source, n, total in ctx.db.execute(statement)}


def script(ctx) -> Result:
    per_object = ctx.values.get("view") == "objects"
    every = api.lead_sources()
    sources = {source["id"]: source["name"] for source in every}
    numbers = counts.number_sources(every)
    leads, calls, placed = lead_counts(ctx, per_object), call_counts(ctx, per_object, numbers), placement_figures(ctx, per_object)
    keys = sorted(set(leads) | set(calls) | set(placed), key=lambda k: (-(leads.get(k, 0) + calls.get(k, 0)), str(k)))[:MAX_ROWS]
    numbers_of = object_numbers(ctx, {k[0] for k in keys if k[0] is not None})
    rows = [row(ctx, key, sources, numbers_of, leads.get(key, 0), calls.get(key, 0), *placed.get(key, (0, None))) for key in keys]
    totals_cost = sum((p[1] for p in placed.values() if p[1] is not None), Decimal(0))
    totals_leads = sum(leads.values())
    totals = Row({"object": _("Total") if per_object else "", "source": "" if per_object else _("Total"),
                  "placements": sum(p[0] for p in placed.values()), "cost": totals_cost if placed else None,
                  "leads": totals_leads, "calls": sum(calls.values()),
                  "per_lead": round(totals_cost / totals_leads, 2) if totals_leads and totals_cost else None})
    columns = ([Column("object", _l("Object"), "text")] if per_object else []) + [
        Column("source", _l("Source"), "text"), Column("placements", _l("Placements")), Column("cost", _l("Cost"), "money"),
        Column("leads", _l("Leads")), Column("calls", _l("Calls")), Column("per_lead", _l("Cost per lead"), "money")]
    labels = [f"{r.values.get('object', '')} {r.values['source']}".strip() for r in rows[:20]]
    chart = Chart("hbar" if len(labels) > 6 else "bar", labels, [
        Series(_l("Leads"), [r.values["leads"] for r in rows[:20]]), Series(_l("Calls"), [r.values["calls"] for r in rows[:20]])])
    return Result(columns, rows, chart, totals)


def row(ctx, key: tuple, sources: dict, numbers_of: dict, leads: int, calls: int, placements: int, cost) -> Row:
    item, source = key
    values = {"source": sources.get(source, _("No source")) if source else _("No source"), "placements": placements,
              "cost": cost, "leads": leads, "calls": calls,
              "per_lead": round(Decimal(cost) / leads, 2) if cost and leads else None}
    if item is not None:
        values = {"object": numbers_of.get(item, f"#{item}"), **values}
    drill = {}
    if leads and item is None:
        drill["leads"] = ctx.drill_args(source_id=source if source else None)
    return Row(values, drill)


def object_numbers(ctx, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    table = counts.model(counts.PROPERTY)
    return dict(ctx.db.execute(select(table.c.id, table.c.number).where(table.c.id.in_(sorted(ids)))).all())


def raw_sql(ctx) -> list[tuple[str, dict]]:
    """The default view by hand: leads per source this month, calls per tracking number, placements' costs."""
    params = {"start": ctx.start, "end": ctx.end, "first": ctx.days()[0], "last": ctx.days()[1]}
    return [
        ("SELECT source_id, count(*) FROM leads_lead WHERE archived_at IS NULL AND received_at >= :start "
         "AND received_at < :end GROUP BY source_id", params),
        ("SELECT source_id, value FROM leads_source_match WHERE kind = 'number'", {}),
        ("SELECT our_address, count(*) FROM activity WHERE archived_at IS NULL AND kind = 'call' AND direction = 'inbound' "
         "AND happened_at >= :start AND happened_at < :end GROUP BY our_address", params),
        ("SELECT source_id, count(*), sum(CASE WHEN currency = 'KZT' THEN cost END) FROM real_estate_placement "
         "WHERE archived_at IS NULL AND started_on <= :last AND (ended_on IS NULL OR ended_on >= :first) GROUP BY source_id", params),
    ]


def choices(options):
    return lambda _ctx: list(options)


REPORT = Report(
    "sources", _l("Advertising sources: leads, calls and cost"), entity="lead", order=71,
    description=_l("Leads and calls each advertising source brought, overall or per object, what its placements "
                   "cost and the cost per lead."),
    common=("period", "office", "department", "employee"), period_field="received_at", default_period="this_month",
    filters=(
        Filter("view", _l("Show"), choices=choices(VIEWS), default="sources", condition=lambda _c, _t, _v: literal(True)),
        Filter("object", _l("Listing number"), kind="text", condition=lambda _c, _t, _v: literal(True)),
        Filter("currency", _l("Currency"), choices=choices(tuple((c, c) for c in CURRENCIES)), default="KZT",
               condition=lambda _c, _t, _v: literal(True)),
    ),
    script=script, raw_sql=raw_sql, chart="bar",
)
