"""The objects report: which objects, at which prices, draw calls and which reach a deal.

By price band (the default): for the objects on the market during the period, how many there
were, the calls, showings, leads and deals about them in the period, and how many were sold or
rented. By object: the objects that drew the most calls, each with its figures, days on market
and price changes. One pass over the inventory links, grouped per object, joined to the objects.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, desc, func, literal, or_, select

from crmkit import api
from crmkit.reports import Chart, Column, Filter, Report, Result, Row, Series
from crmkit_real_estate import counts, statistics
from crmkit_real_estate.counts import links
from crmkit_real_estate.offers import CURRENCIES

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

TOP_OBJECTS = 100
CLOSED_WON = ("sold", "rented")
# upper bounds of the price bands, by deal type and currency; the last band has none
BANDS = {
    ("sale", "KZT"): (15_000_000, 25_000_000, 40_000_000, 60_000_000, 100_000_000),
    ("rent", "KZT"): (150_000, 250_000, 400_000, 700_000),
    ("sale", "RUB"): (3_000_000, 5_000_000, 8_000_000, 12_000_000, 20_000_000),
    ("rent", "RUB"): (30_000, 50_000, 80_000, 140_000),
    ("sale", "USD"): (30_000, 50_000, 80_000, 120_000, 200_000),
    ("rent", "USD"): (300, 500, 800, 1_400),
}
DEAL_TYPES = (("sale", _l("Sale")), ("rent", _l("Rent")))
KINDS = (("apartment", _l("Apartment")), ("house", _l("House")), ("land", _l("Land")), ("commercial", _l("Commercial")))
VIEWS = (("bands", _l("By price band")), ("objects", _l("By object")))


def bounds(ctx) -> tuple[int, ...]:
    key = (ctx.values.get("deal_type") or "sale", ctx.values.get("currency") or "KZT")
    return BANDS.get(key) or BANDS[(key[0], "USD")]


def band_label(edges: tuple[int, ...], index: int) -> str:
    def short(value: int) -> str:
        if value >= 1_000_000:
            return f"{Decimal(value) / 1_000_000:g}\u00a0" + _("mln")
        if value >= 1_000:
            return f"{Decimal(value) / 1_000:g}\u00a0" + _("K")
        return str(value)

    if index == 0:
        return _("under %(price)s", price=short(edges[0]))
    if index == len(edges):
        return _("%(price)s and more", price=short(edges[-1]))
    return f"{short(edges[index - 1])} – {short(edges[index])}"


def band_of(price, edges: tuple[int, ...]) -> Any:
    return case(*[(price < edge, index) for index, edge in enumerate(edges)], else_=len(edges))


def joined(ctx, table) -> tuple[Any, dict[str, Any]]:
    """The objects joined to the links made in the period (walked through the links' item index,
    object by object) and each link's activity; the figures as aggregates over that join."""
    activity = counts.model("activity")
    on = [links.c.item_entity == counts.PROPERTY, links.c.item_id == table.c.id]
    if ctx.start is not None:
        on.append(links.c.created_at >= ctx.start)
    if ctx.end is not None:
        on.append(links.c.created_at < ctx.end)
    source = table.outerjoin(links, and_(*on)).outerjoin(
        activity, and_(links.c.subject_entity == "activity", counts.activity_join(activity)))
    figures = {
        "calls": func.count(case((activity.c.kind == "call", 1))),
        "showings": func.count(case((activity.c.kind == "meeting", 1))),
        "leads": func.count(case((links.c.subject_entity == "lead", 1))),
        "deals": func.count(case((links.c.subject_entity == "deal", 1))),
    }
    return source, figures


def scope(ctx) -> tuple[Any, list[Any]]:
    """The objects the user sees that were on the market in the period and match the filters."""
    table = ctx.table()
    where = ctx.conditions(table, period_field=None)
    where.append(table.c.currency == (ctx.values.get("currency") or "KZT"))
    if ctx.start is not None:
        where.append(or_(table.c.closed_at.is_(None), table.c.closed_at >= ctx.start))
    if ctx.end is not None:
        where.append(func.coalesce(table.c.published_at, table.c.created_at) < ctx.end)
    return table, where


def bands_report(ctx) -> Result:
    table, where = scope(ctx)
    edges = bounds(ctx)
    source, figures = joined(ctx, table)
    band = band_of(table.c.price, edges).label("band")
    statement = (
        select(band, func.count(table.c.id.distinct()), figures["calls"], figures["showings"], figures["leads"],
               func.count(case((links.c.subject_entity == "deal", table.c.id)).distinct()),
               func.count(case((table.c.status.in_(CLOSED_WON), table.c.id)).distinct()))
        .select_from(source).where(*where).group_by(band).order_by(band)
    )
    found = {int(r[0]): [int(v or 0) for v in r[1:]] for r in ctx.db.execute(statement)}
    rows = []
    for index in range(len(edges) + 1):
        objects, calls, showings, leads, with_deal, closed = found.get(index, [0] * 6)
        values = {"band": band_label(edges, index), "objects": objects, "calls": calls,
                  "per_object": round(calls / objects, 1) if objects else None, "showings": showings, "leads": leads,
                  "with_deal": with_deal, "closed": closed, "share": round(100 * closed / objects, 1) if objects else None}
        drill = {"objects": ctx.members_args(band=index), "closed": ctx.members_args(band=index, closed=1)}
        rows.append(Row(values, {k: v for k, v in drill.items() if values[k]}))
    total = [sum(found.get(i, [0] * 6)[n] for i in found) for n in range(6)]
    totals = Row({"band": _("Total"), "objects": total[0], "calls": total[1],
                  "per_object": round(total[1] / total[0], 1) if total[0] else None, "showings": total[2],
                  "leads": total[3], "with_deal": total[4], "closed": total[5],
                  "share": round(100 * total[5] / total[0], 1) if total[0] else None})
    columns = [Column("band", _l("Price"), "text"), Column("objects", _l("Objects")), Column("calls", _l("Calls")),
               Column("per_object", _l("Calls per object"), "decimal"), Column("showings", _l("Showings")),
               Column("leads", _l("Leads")), Column("with_deal", _l("With a deal")),
               Column("closed", _l("Sold or rented")), Column("share", _l("Share sold or rented"), "percent")]
    chart = Chart("bar", [r.values["band"] for r in rows], [
        Series(_l("Calls per object"), [r.values["per_object"] or 0 for r in rows]),
        Series(_l("Share sold or rented"), [r.values["share"] or 0 for r in rows]),
    ])
    return Result(columns, rows, chart, totals)


def objects_report(ctx) -> Result:
    table, where = scope(ctx)
    source, figures = joined(ctx, table)
    top = (select(table.c.id, figures["calls"].label("calls_n"), figures["showings"].label("showings_n"),
                  figures["leads"].label("leads_n"), figures["deals"].label("deals_n"))
           .select_from(source).where(*where).group_by(table.c.id)
           .order_by(desc("calls_n"), table.c.id.desc()).limit(TOP_OBJECTS).subquery("top"))
    statement = select(table, top.c.calls_n, top.c.showings_n, top.c.leads_n, top.c.deals_n).join(top, top.c.id == table.c.id) \
        .order_by(top.c.calls_n.desc(), table.c.id.desc())
    fetched = ctx.db.execute(statement).all()
    more = counts.figures([r.id for r in fetched])  # offers and price changes of these objects
    edges = bounds(ctx)
    rows = []
    for r in fetched:
        index = next((i for i, edge in enumerate(edges) if r.price < edge), len(edges))
        values = {"object": r.number, "district": r.district or r.city, "band": band_label(edges, index), "price": r.price,
                  "status": r.status, "calls": r.calls_n, "showings": r.showings_n, "leads": r.leads_n,
                  "offers": more[r.id]["offers"], "deals": r.deals_n, "days": statistics.days_on_market(r),
                  "price_changes": more[r.id]["price_changes"]}
        values["status"] = api.entity(counts.PROPERTY).display("status", r.status)
        rows.append(Row(values, {"object": ctx.members_args(object=r.id)}))
    columns = [Column("object", _l("Object"), "text"), Column("district", _l("District"), "text"),
               Column("band", _l("Price band"), "text"), Column("price", _l("Price"), "money"),
               Column("status", _l("Status"), "text"), Column("calls", _l("Calls")), Column("showings", _l("Showings")),
               Column("leads", _l("Leads")), Column("offers", _l("Offers")), Column("deals", _l("Deals")),
               Column("days", _l("Days on market")), Column("price_changes", _l("Price changes"))]
    chart = Chart("hbar", [r.values["object"] for r in rows[:20]], [Series(_l("Calls"), [r.values["calls"] for r in rows[:20]])])
    return Result(columns, rows, chart)


def script(ctx) -> Result:
    return objects_report(ctx) if ctx.values.get("view") == "objects" else bands_report(ctx)


def members(ctx, figure: dict[str, str]) -> Any:
    """The objects of one price band (sold or rented ones only with ``closed``), or one object."""
    table, where = scope(ctx)
    if str(figure.get("object", "")).isdigit():
        return select(table.c.id).where(*where, table.c.id == int(figure["object"]))
    raw = str(figure.get("band", ""))
    edges = bounds(ctx)
    if raw.isdigit() and int(raw) <= len(edges):
        where.append(band_of(table.c.price, edges) == int(raw))
    if figure.get("closed"):
        where.append(table.c.status.in_(CLOSED_WON))
    return select(table.c.id).where(*where)


def raw_sql(ctx) -> list[tuple[str, dict]]:
    """The default view by hand (price bands of objects for sale in KZT, this year, an admin)."""
    edges = BANDS[("sale", "KZT")]
    band = "CASE " + " ".join(f"WHEN p.price < {edge} THEN {i}" for i, edge in enumerate(edges)) + f" ELSE {len(edges)} END"
    sql = f"""
        SELECT {band} AS band, count(DISTINCT p.id), count(CASE WHEN a.kind = 'call' THEN 1 END),
               count(CASE WHEN a.kind = 'meeting' THEN 1 END), count(CASE WHEN l.subject_entity = 'lead' THEN 1 END),
               count(DISTINCT CASE WHEN l.subject_entity = 'deal' THEN p.id END),
               count(DISTINCT CASE WHEN p.status IN ('sold', 'rented') THEN p.id END)
        FROM real_estate_property p
        LEFT JOIN inventory_link l ON l.item_entity = 'real_estate.property' AND l.item_id = p.id
             AND l.created_at >= :start AND l.created_at < :end
        LEFT JOIN activity a ON l.subject_entity = 'activity' AND a.id = l.subject_id AND a.archived_at IS NULL
        WHERE p.archived_at IS NULL AND p.deal_type = 'sale' AND p.currency = 'KZT'
          AND (p.closed_at IS NULL OR p.closed_at >= :start) AND coalesce(p.published_at, p.created_at) < :end
        GROUP BY band ORDER BY band"""
    return [(sql, {"start": ctx.start, "end": ctx.end})]


def choices(options):
    return lambda _ctx: list(options)


REPORT = Report(
    "objects", _l("Objects: calls and deals by price"), entity=counts.PROPERTY, order=70,
    description=_l("Which objects at which prices draw calls, showings and leads, and which are sold or rented: "
                   "by price band, or object by object."),
    common=("period", "office", "department", "employee"), period_field="published_at", default_period="this_year",
    filters=(
        Filter("view", _l("Show"), choices=choices(VIEWS), default="bands", condition=lambda _c, _t, _v: literal(True)),
        Filter("deal_type", _l("Sale or rent"), choices=choices(DEAL_TYPES), default="sale", column="deal_type"),
        Filter("kind", _l("Kind"), choices=choices(KINDS), column="kind"),
        Filter("city", _l("City"), kind="text", column="city"),
        Filter("currency", _l("Currency"), choices=choices(tuple((c, c) for c in CURRENCIES)), default="KZT",
               condition=lambda _c, _t, _v: literal(True)),
    ),
    script=script, members=members, raw_sql=raw_sql, chart="bar",
)
