"""Matching both ways: the active demands an object meets, the active objects a demand is met by,
and a score of how well each pair fits.

A demand is met by an object when deal type, kind and city are equal, the object's district is
one the demand names (or the demand names none), and each range the demand gives holds (rooms,
area, budget; a budget only in the object's currency). Every condition is written once, over
"either side": a Python value or a column, so the same builder serves an object's page (its
values against the demands' columns), a demand's page (its values against the objects') and the
unmet-demand report (columns against columns, correlated).

Score, 0..100, higher fits better:
  budget 50 x (1 - |price - top| / top), top = the budget's upper end (else its lower end);
  area 20 and rooms 15 x (1 - |value - middle| / middle), middle = the range's middle;
  district 15 when the demand names the object's district, 8 when it takes any;
  a part the demand leaves open counts half.
"""

from __future__ import annotations

import operator
from typing import Any, NamedTuple

from sqlalchemy import Float, and_, case, cast, exists, false, func, literal, or_, select, true
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from crmkit_real_estate.demand_models import Demand, DemandDistrict
from crmkit_real_estate.models import Property

PAGE_SIZE = 20
ACTIVE = "active"
PRICES, AREAS = (0, 10**15), (0, 10**8)  # every price and area an object may have (its schema's ranges)
WEIGHTS = {"budget": 50, "area": 20, "rooms": 15, "district": 15}


def is_column(value: Any) -> bool:
    """A column (a model's attribute or a table's) rather than a Python value."""
    return isinstance(value, ColumnElement) or hasattr(value, "__clause_element__")


def holds(value: Any, bound: Any, compare) -> Any:
    """``compare(value, bound)`` where a missing bound (None, or a NULL column) always holds and a
    missing value meets no bound."""
    if bound is None:
        return true()
    if value is None:
        return bound.is_(None) if is_column(bound) else false()
    test = compare(value, bound)
    return or_(bound.is_(None), test) if is_column(bound) else test


def within(value: Any, low: Any, high: Any, bounds: tuple[int, int] | None = None) -> Any:
    """``low <= value <= high``, each end optional. With ``bounds`` (the column's whole range) and
    columns on both sides, a missing end becomes that bound, so the value's index takes the range
    (the unmet-demand report probes the objects' index once per demand)."""
    if bounds is not None and is_column(value) and is_column(low) and is_column(high):
        return and_(value >= func.coalesce(low, bounds[0]), value <= func.coalesce(high, bounds[1]))
    return and_(holds(value, low, operator.ge), holds(value, high, operator.le))


def no_budget(d: Any) -> Any:
    if is_column(d.budget_min):
        return and_(d.budget_min.is_(None), d.budget_max.is_(None))
    return true() if d.budget_min is None and d.budget_max is None else false()


def equal(left: Any, right: Any) -> Any:
    if left is None or right is None:
        return false()
    return left == right if is_column(left) or is_column(right) else (true() if left == right else false())


def conditions(d: Any, p: Any, district: Any) -> list[Any]:
    """Every condition of "demand ``d`` is met by object ``p``"; ``d`` and ``p`` give attributes
    (``d.kind``, ``p.price``...) as values or columns; ``district`` is the district test."""
    currency = or_(no_budget(d), equal(d.currency, p.currency))
    return [equal(d.deal_type, p.deal_type), equal(d.kind, p.kind), equal(d.city, p.city), district, currency,
            within(p.price, d.budget_min, d.budget_max, PRICES), within(p.rooms, d.rooms_min, d.rooms_max),
            within(p.area, d.area_min, d.area_max, AREAS)]


# scoring

def sql(value: Any) -> Any:
    """A value or column as a float SQL expression (NULL for None)."""
    return cast(value if is_column(value) else literal(value), Float)


def closeness(value: Any, target: Any, weight: int) -> Any:
    """``weight`` x (1 - |value - target| / target), at least 0; half the weight without a target."""
    target_sql, value_sql = sql(target), sql(value)
    part = literal(1.0) - func.abs(value_sql - target_sql) / target_sql
    return case((or_(target_sql.is_(None), target_sql <= 0, value_sql.is_(None)), literal(weight / 2)),
                (part < 0, literal(0.0)), else_=part * weight)


def middle(low: Any, high: Any) -> Any:
    low_sql, high_sql = sql(low), sql(high)
    return (func.coalesce(low_sql, high_sql) + func.coalesce(high_sql, low_sql)) / 2


def score(d: Any, p: Any, named: Any) -> Any:
    """The score of a matching pair as an SQL expression; ``named`` is true when the demand names
    districts (the object's, since they match)."""
    budget_top = func.coalesce(sql(d.budget_max), sql(d.budget_min))
    district = case((named, literal(WEIGHTS["district"])), else_=literal(8))
    total = (closeness(p.price, budget_top, WEIGHTS["budget"]) + closeness(p.area, middle(d.area_min, d.area_max), WEIGHTS["area"])
             + closeness(p.rooms, middle(d.rooms_min, d.rooms_max), WEIGHTS["rooms"]) + district)
    return func.round(total).label("score")


# the two directions

def demands_for(prop: Any) -> tuple[Any, Any]:
    """``(condition on demands, score)`` of the active demands the object ``prop`` meets."""
    d = Demand
    if prop.district:
        naming = d.id.in_(select(DemandDistrict.demand_id).where(DemandDistrict.district == prop.district))
        district = or_(d.districts.is_(None), naming)
    else:
        district = d.districts.is_(None)
    where = and_(d.status == ACTIVE, d.archived_at.is_(None), *conditions(d, prop, district))
    return where, score(d, prop, d.districts.is_not(None))


def objects_for(demand: Any, districts: list[str]) -> tuple[Any, Any]:
    """``(condition on objects, score)`` of the active objects that meet the demand ``demand``."""
    p = Property
    district = p.district.in_(districts) if districts else true()
    where = and_(p.status == ACTIVE, p.archived_at.is_(None), *conditions(demand, p, district))
    return where, score(demand, p, literal(bool(districts)))


def met(d: Any, p: Any) -> Any:
    """Columns against columns: "some active object ``p`` meets the demand ``d``", for the
    unmet-demand report; each EXISTS goes through its index: by city for a demand naming no
    district, by each named district (the districts' rows joined to the objects) for the others."""
    common = [p.status == ACTIVE, p.archived_at.is_(None), *conditions(d, p, true())]
    by_city = exists(select(literal(1)).where(*common).correlate(d))
    named = aliased(DemandDistrict)  # never the caller's own join of the districts
    by_district = exists(select(literal(1)).select_from(named).join(p, p.district == named.district)
                         .where(named.demand_id == d.id, *common).correlate(d))
    return or_(and_(d.districts.is_(None), by_city), and_(d.districts.is_not(None), by_district))


class Page(NamedTuple):
    rows: list[tuple[Any, int]]  # (record, score), best first
    page: int
    more: bool


def paged(db: Any, statement: Any, score_column: Any, model: Any, page: int, size: int = PAGE_SIZE) -> Page:
    """One page of ``statement`` (a SELECT of ``model``) with its score, best first, then newest."""
    page = max(1, page)
    found = db.execute(statement.add_columns(score_column).order_by(score_column.desc(), model.id.desc())
                       .offset((page - 1) * size).limit(size + 1)).all()
    return Page([(row[0], int(row[1] or 0)) for row in found[:size]], page, len(found) > size)


def demand_ids_for(db: Any, prop: Any) -> list[tuple[int, int | None]]:
    """``(demand id, owner id)`` of every active demand the object meets, regardless of who may
    see them: whom to tell (jobs only)."""
    where, _score = demands_for(prop)
    return [tuple(row) for row in db.execute(select(Demand.id, Demand.owner_id).where(where)).all()]
