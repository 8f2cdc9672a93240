"""Telling buyers' agents: an object that comes on the market, changes its price or returns to
the market is matched against active demands after the save commits (a job, so saving stays
fast); each agent whose buyers it meets gets one notification, and automation rules on objects
may start on it (the trigger ``real_estate.demands_matched``)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import current_app

from crmkit import api
from crmkit.core.automation import Param, Trigger, fire
from crmkit_real_estate import matching
from crmkit_real_estate.models import Property

messages = api.Messages(__name__)
_l = messages.lazy_gettext

KIND = "real_estate.match"
TRIGGER = "real_estate.demands_matched"
JOB = "real_estate.notify_matches"
PROPERTY = "real_estate.property"
REASONS = {"new": _l("A new object"), "repriced": _l("A new price"), "back": _l("Back on the market"),
           "rematched": _l("Matching rerun")}


def notification_kinds() -> list[Any]:
    return [api.NotificationKind(KIND, _l("An object matches my buyers' demands"), email_default=False)]


def automation_triggers() -> list[Any]:
    return [Trigger(TRIGGER, _l("An object matches buyers' demands"),
                    (Param("reason", _l("Why (any when empty)"), "choice", required=False, choices=tuple(REASONS.items())),),
                    applies=lambda entity: entity.key == PROPERTY,
                    matches=lambda params, facts: params.get("reason") in (None, "") or params["reason"] == facts.get("reason"))]


def reason_of(event: str, record: Any, changes: dict) -> str | None:
    """Why a save may interest buyers: a new active object, a new price, a return to the market."""
    if record.status != matching.ACTIVE:
        return None
    if event == "after_create":
        return "new"
    if event == "after_update" and "status" in changes and changes["status"][0] != matching.ACTIVE:
        return "back"
    if event == "after_update" and "price" in changes:
        return "repriced"
    return None


def on_property_event(event: str, record: Any, changes: dict) -> None:
    reason = reason_of(event, record, changes)
    if reason is not None:
        api.enqueue_after_commit(JOB, record.id, reason)


def notify_matches(property_id: int, reason: str, user: Any = None) -> int:
    """Notify the agents of the active demands the object meets (not the one who saved it) and
    fire the automation trigger; returns how many agents were told."""
    db = api.session()
    prop = db.get(Property, property_id)
    if prop is None or prop.archived_at is not None or prop.status != matching.ACTIVE:
        return 0
    found = matching.demand_ids_for(db, prop)
    by_agent: dict[int, list[int]] = defaultdict(list)
    for demand_id, owner_id in found:
        if owner_id is not None and owner_id != getattr(user, "id", None):
            by_agent[owner_id].append(demand_id)
    for owner_id, demand_ids in by_agent.items():
        tell(owner_id, prop, reason, demand_ids)
    if found:
        fire(TRIGGER, api.entity(PROPERTY), prop, reason=reason, demands=len(found))
    db.commit()
    return len(by_agent)


def rematch(since: Any, notify: bool) -> list[tuple[Any, int, int]]:
    """Match again the active objects changed since ``since`` (those an import or a bulk edit
    saved without telling anyone); with ``notify``, tell the agents as a save would. Returns
    ``(object, matching demands, agents told)`` for each object that has matches."""
    from sqlalchemy import select

    db = api.session()
    statement = select(Property).where(Property.status == matching.ACTIVE, Property.archived_at.is_(None),
                                       Property.updated_at >= since).order_by(Property.id)
    found = []
    for prop in db.execute(statement).scalars().all():  # one query for the objects, not one each
        demands = matching.demand_ids_for(db, prop)
        if demands:
            told = notify_matches(prop.id, "rematched") if notify else 0
            found.append((prop, len(demands), told))
    return found


def tell(owner_id: int, prop: Any, reason: str, demand_ids: list[int]) -> None:
    count = len(demand_ids)
    if count == 1:
        url = path_for("real_estate_matching.objects_of_demand", demand_id=demand_ids[0])
    else:
        url = path_for("real_estate_matching.demands_of_object", property_id=prop.id)

    def title() -> str:
        return messages.ngettext("%(why)s: %(number)s matches %(num)d of your buyers' demands",
                                 "%(why)s: %(number)s matches %(num)d of your buyers' demands", count,
                                 why=str(REASONS[reason]), number=prop.number)

    def body() -> str:
        where = ", ".join(part for part in (prop.city, prop.district, prop.street) if part)
        return f"{where} · {matching_price(prop)}"

    api.notify(owner_id, title, body=body, url=url, kind=KIND, record=(PROPERTY, prop.id))


def path_for(endpoint: str, **values: Any) -> str:
    """A page's path without a request (jobs run in the worker): ``url_for`` needs one."""
    return current_app.url_map.bind("localhost").build(endpoint, values)


def matching_price(prop: Any) -> str:
    from crmkit_real_estate.demand import amount

    return f"{amount(prop.price)}\u00a0{prop.currency}"
