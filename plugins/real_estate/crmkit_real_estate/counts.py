"""The figures of objects, each one grouped and indexed query: what calls, showings, leads and
deals are about them (the core's inventory links, docs/inventory.md), their offers, price
changes and advertising sources.

Figures are counts, not records: an object's page shows every call about it, whoever logged it,
as the count of calls a portal shows a seller. Archived activities, leads and deals don't count.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, column, func, or_, select, table

from crmkit import api
from crmkit_real_estate.models import PriceChange
from crmkit_real_estate.offers import Offer

PROPERTY = "real_estate.property"
FIGURES = ("calls", "showings", "leads", "deals", "offers", "price_changes")

# The core's inventory links, by the names docs/inventory.md gives them.
links = table(
    "inventory_link", column("id"), column("subject_entity"), column("subject_id"), column("item_entity"),
    column("item_id"), column("created_at"), column("created_by_id"),
)


def model(key: str) -> Any:
    return api.entity(key).model.__table__


def linked(subject: str, ids: Iterable[int] | None = None, item: str = PROPERTY) -> list[Any]:
    """Conditions on ``links`` for the subjects of one entity about items (all when ``ids`` is None)."""
    found = [links.c.item_entity == item, links.c.subject_entity == subject]
    if ids is not None:
        found.append(links.c.item_id.in_(list(ids)))
    return found


def activity_join(activity) -> Any:
    return and_(activity.c.id == links.c.subject_id, activity.c.archived_at.is_(None))


def figures(property_ids: list[int]) -> dict[int, dict[str, int]]:
    """``{id: {calls, showings, leads, deals, offers, price_changes}}`` for the given objects."""
    found = {pid: dict.fromkeys(FIGURES, 0) for pid in property_ids}
    if not property_ids:
        return found
    db = api.session()
    activity, lead, deal = model("activity"), model("lead"), model("deal")
    kinds = (select(links.c.item_id, links.c.subject_entity, activity.c.kind, func.count())
             .select_from(links)
             .outerjoin(activity, and_(links.c.subject_entity == "activity", activity_join(activity)))
             .outerjoin(lead, and_(links.c.subject_entity == "lead", lead.c.id == links.c.subject_id, lead.c.archived_at.is_(None)))
             .outerjoin(deal, and_(links.c.subject_entity == "deal", deal.c.id == links.c.subject_id, deal.c.archived_at.is_(None)))
             .where(links.c.item_entity == PROPERTY, links.c.item_id.in_(property_ids),
                    or_(activity.c.kind.in_(("call", "meeting")), lead.c.id.is_not(None), deal.c.id.is_not(None)))
             .group_by(links.c.item_id, links.c.subject_entity, activity.c.kind))
    names = {("activity", "call"): "calls", ("activity", "meeting"): "showings", ("lead", None): "leads", ("deal", None): "deals"}
    for item_id, subject, kind, count in db.execute(kinds):
        found[item_id][names[(subject, kind)]] = count
    offer = Offer.__table__
    statement = (select(offer.c.property_id, func.count()).where(offer.c.property_id.in_(property_ids), offer.c.archived_at.is_(None))
                 .group_by(offer.c.property_id))
    for item_id, count in db.execute(statement):
        found[item_id]["offers"] = count
    change = PriceChange.__table__
    statement = (select(change.c.property_id, func.count())  # the first price, on listing, is no change
                 .where(change.c.property_id.in_(property_ids), change.c.old_price.is_not(None)).group_by(change.c.property_id))
    for item_id, count in db.execute(statement):
        found[item_id]["price_changes"] = count
    return found


def e164(number: str | None) -> str | None:
    """A number as one key whichever way it was typed ("8 727 ...", "+7 (727) ..."), else as given."""
    if not number:
        return None
    try:
        return api.phone_e164(number)
    except ValueError:
        return number


def number_sources(sources: list[dict] | None = None) -> dict[str, int]:
    """The tracking numbers of the lead sources: the number dialled (E.164) -> the source's id."""
    every = api.lead_sources() if sources is None else sources
    return {e164(number): source["id"] for source in every for number in source["numbers"]}


def source_of(our_address: str | None, numbers: dict[str, int]) -> int | None:
    return numbers.get(e164(our_address)) if our_address else None


def calls_by_number(condition: list[Any]) -> Any:
    """Inbound calls about objects grouped by the number they dialled (our side of the call)."""
    activity = model("activity")
    return (select(activity.c.our_address, func.count())
            .select_from(links).join(activity, activity_join(activity))
            .where(*condition, activity.c.kind == "call", activity.c.direction == "inbound")
            .group_by(activity.c.our_address))


def by_source(property_id: int) -> dict[int | None, tuple[int, int]]:
    """``{source id: (leads, calls)}`` about one object; None gathers leads and calls of no source."""
    db = api.session()
    lead = model("lead")
    leads = dict(db.execute(
        select(lead.c.source_id, func.count())
        .select_from(links).join(lead, and_(lead.c.id == links.c.subject_id, lead.c.archived_at.is_(None)))
        .where(*linked("lead", [property_id])).group_by(lead.c.source_id)
    ).all())
    numbers = number_sources()
    calls: dict[int | None, int] = {}
    for number, count in db.execute(calls_by_number(linked("activity", [property_id]))):
        source = source_of(number, numbers)
        calls[source] = calls.get(source, 0) + count
    return {source: (leads.get(source, 0), calls.get(source, 0))
            for source in sorted(set(leads) | set(calls), key=lambda s: (s is None, s or 0))}
