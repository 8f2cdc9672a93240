"""The unmet-demand report: active demand that no active object meets, by district, kind and
budget band: the market gap the agency could fill.

A demand naming several districts counts in each of them (each is a gap); one naming none counts
under "Any district"; the total counts each demand once. Budgets are banded by their upper end
(else their lower end) at the limits of the filter "Band limits" (default REAL_ESTATE_BUDGET_BANDS),
within one deal type and one currency at a time, since sale and rent budgets, or tenge and
dollars, don't add up. Each figure drills down to the demands behind it.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from sqlalchemy import and_, case, func, literal, not_, select, text

from crmkit import api
from crmkit.reports import Chart, Column, Context, Filter, Report, Result, Row, Series
from crmkit_real_estate import demand, matching
from crmkit_real_estate.demand_models import Demand, DemandDistrict
from crmkit_real_estate.models import Property
from crmkit_real_estate.objects import DEAL_TYPES, KINDS

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

BANDS = "10000000,20000000,30000000,50000000,100000000"  # KZT: up to 10 M, 10-20 M, ... over 100 M
ANY = ""  # the district of a demand naming none
NO_BUDGET = -1


def reports() -> list[Report]:
    return [Report(
        "unmet_demand", _l("Unmet demand"), entity=demand.KEY, order=60,
        description=_l("Active demands no active object meets, by district, kind and budget: the market gap the agency "
                       "could fill. A demand naming several districts counts in each."),
        common=("period", "office", "department", "employee"), period_field="created_at", default_period="all",
        filters=(Filter("deal_type", _l("Buy or rent"), choices=lambda _ctx: list(DEAL_TYPES.items()), default="sale"),
                 Filter("currency", _l("Currency"), kind="text", default="KZT"),
                 Filter("bands", _l("Band limits"), kind="text", default=None)),
        script=build, members=members, raw_sql=raw_sql, chart="hbar",
    )]


def limits(ctx: Context) -> list[Decimal]:
    """The band limits, ascending: the filter's, else the deployment's, else ``BANDS``."""
    text = ctx.values.get("bands") or current_app.config.get("REAL_ESTATE_BUDGET_BANDS") or BANDS
    if not isinstance(text, str):
        text = ",".join(str(v) for v in text)
    found = set()
    for part in text.replace(";", ",").split(","):
        try:
            value = Decimal(part.strip().replace(" ", "").replace("\u00a0", ""))
        except InvalidOperation:
            continue
        if value.is_finite() and value > 0:
            found.add(value)
    return sorted(found)[:20]


def band_expression(bands: list[Decimal]) -> Any:
    """The band index of a demand's budget (0: up to the first limit ... n: over the last;
    NO_BUDGET when it gives none)."""
    budget = func.coalesce(Demand.budget_max, Demand.budget_min)
    whens = [(budget.is_(None), literal(NO_BUDGET))]
    whens += [(budget <= limit, literal(index)) for index, limit in enumerate(bands)]
    return case(*whens, else_=literal(len(bands)))


def band_label(index: int, bands: list[Decimal], currency: str) -> str:
    def money(value: Decimal) -> str:
        return f"{demand.amount(value)}\u00a0{currency}"

    if index == NO_BUDGET:
        return _("No budget given")
    if not bands:
        return _("Any budget")
    if index == 0:
        return _("up to %(top)s", top=money(bands[0]))
    if index >= len(bands):
        return _("over %(bottom)s", bottom=money(bands[-1]))
    return f"{money(bands[index - 1])} – {money(bands[index])}"


def scope(ctx: Context) -> list[Any]:
    """Active demands of the bar's deal type and currency, visible to the user, no object meets."""
    table = Demand.__table__
    deal_type = ctx.values.get("deal_type") if ctx.values.get("deal_type") in DEAL_TYPES else "sale"
    currency = str(ctx.values.get("currency") or "KZT").strip().upper()[:3]
    return [*ctx.conditions(table, where=False), Demand.status == matching.ACTIVE, Demand.deal_type == deal_type,
            Demand.currency == currency, not_(matching.met(Demand, Property))]


def grouped(ctx: Context) -> tuple[list[Decimal], list[Any], int]:
    """The figures in one statement: the unmet demands found once (a materialized CTE), counted
    by district, kind and band, and in total."""
    bands = limits(ctx)
    unmet = select(Demand.id, Demand.kind, band_expression(bands).label("band")).where(*scope(ctx)).cte("unmet")
    unmet = unmet.prefix_with("MATERIALIZED")
    district = func.coalesce(DemandDistrict.district, literal(ANY))
    groups = (select(literal(0).label("part"), district.label("district"), unmet.c.kind, unmet.c.band, func.count().label("demands"))
              .select_from(unmet.outerjoin(DemandDistrict, DemandDistrict.demand_id == unmet.c.id))
              .group_by(district, unmet.c.kind, unmet.c.band))
    total = select(literal(1), literal(ANY), literal(""), literal(0), func.count()).select_from(unmet)
    no_jit(ctx)
    found = ctx.db.execute(groups.union_all(total)).all()
    return bands, [row[1:] for row in found if row[0] == 0], next((row[4] for row in found if row[0] == 1), 0)


def no_jit(ctx: Context) -> None:
    """PostgreSQL would JIT-compile this query (one cheap index probe per demand, priced high):
    compiling takes seconds where running takes less; off for this transaction only."""
    if ctx.dialect == "postgresql":
        ctx.db.execute(text("SELECT set_config('jit', 'off', true)"))


def build(ctx: Context) -> Result:
    bands, found, total = grouped(ctx)
    currency = str(ctx.values.get("currency") or "KZT").strip().upper()[:3]
    found = sorted(found, key=lambda r: (-r[3], r[0], r[1], r[2]))
    rows = []
    for district, kind, band, count in found:
        values = {"district": district or _("Any district"), "kind": KINDS.get(kind, kind),
                  "band": band_label(band, bands, currency), "demands": count}
        rows.append(Row(values, {"demands": ctx.members_args(district=district or "*", kind=kind, band=band)}))
    totals = Row({"district": _("Total"), "kind": "", "band": "", "demands": total},
                 {"demands": ctx.members_args(district="all", kind="all", band="all")} if total else {})
    columns = [Column("district", _l("District"), "text"), Column("kind", _l("Kind"), "text"),
               Column("band", _l("Budget"), "text"), Column("demands", _l("Unmet demands"), "int")]
    top = rows[:15]
    chart = Chart("hbar", [f"{r.values['district']} · {r.values['kind']} · {r.values['band']}" for r in top],
                  [Series(_l("Unmet demands"), [r.values["demands"] for r in top])])
    return Result(columns, rows, chart, totals)


def members(ctx: Context, figure: dict[str, str]) -> Any:
    """The ids of the demands behind one figure (``district``: a name, ``*`` for any, ``all``)."""
    no_jit(ctx)
    where = scope(ctx)
    district, kind, band = figure.get("district", "all"), figure.get("kind", "all"), figure.get("band", "all")
    if district == "*":
        where.append(Demand.districts.is_(None))
    elif district != "all":
        where.append(Demand.id.in_(select(DemandDistrict.demand_id).where(DemandDistrict.district == district)))
    if kind != "all":
        where.append(Demand.kind == kind)
    if band != "all":
        try:
            where.append(band_expression(limits(ctx)) == int(band))
        except ValueError:
            where.append(and_(literal(False)))
    return select(Demand.id).where(*where)


def raw_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    """The default view by hand, for the benchmark: the unmet demands once, each tested through
    the objects' city or district index, then grouped and totalled."""
    bands = limits(ctx)
    band = " ".join(f"WHEN coalesce(d.budget_max, d.budget_min) <= {limit} THEN {i}" for i, limit in enumerate(bands))
    fits = ("p.status = 'active' AND p.archived_at IS NULL AND p.deal_type = d.deal_type AND p.kind = d.kind AND p.city = d.city "
            "AND ((d.budget_min IS NULL AND d.budget_max IS NULL) OR p.currency = d.currency) "
            "AND p.price >= coalesce(d.budget_min, 0) AND p.price <= coalesce(d.budget_max, 1000000000000000) "
            "AND (d.rooms_min IS NULL OR p.rooms >= d.rooms_min) AND (d.rooms_max IS NULL OR p.rooms <= d.rooms_max) "
            "AND p.area >= coalesce(d.area_min, 0) AND p.area <= coalesce(d.area_max, 100000000)")
    met = (f"(d.districts IS NULL AND EXISTS (SELECT 1 FROM real_estate_property p WHERE {fits})) OR (d.districts IS NOT NULL "
           f"AND EXISTS (SELECT 1 FROM real_estate_demand_district x JOIN real_estate_property p ON p.district = x.district "
           f"WHERE x.demand_id = d.id AND {fits}))")
    unmet = (f"SELECT d.id, d.kind, CASE WHEN coalesce(d.budget_max, d.budget_min) IS NULL THEN -1 {band} ELSE {len(bands)} END "
             "AS band FROM real_estate_demand d WHERE d.archived_at IS NULL AND d.status = 'active' AND d.deal_type = :deal_type "
             f"AND d.currency = :currency AND NOT ({met})")
    sql = (f"WITH unmet AS MATERIALIZED ({unmet}) SELECT 0, coalesce(dd.district, ''), u.kind, u.band, count(*) FROM unmet u "
           "LEFT JOIN real_estate_demand_district dd ON dd.demand_id = u.id GROUP BY 2, 3, 4 "
           "UNION ALL SELECT 1, '', '', 0, count(*) FROM unmet")
    found = [(sql, {"deal_type": "sale", "currency": "KZT"})]
    return [("SELECT set_config('jit', 'off', true)", {}), *found] if ctx.dialect == "postgresql" else found
