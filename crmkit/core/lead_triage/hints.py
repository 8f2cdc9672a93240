"""Duplicate hints: the people, organisations and open leads that share a lead's phone or email.

Phones are compared in the E.164 form contacts store (a lead's ``phone_key``), emails lower-cased
(``email_key``), through the contacts' index of every phone and email (``contacts_channel``), so a
number is found whether it is someone's main phone or their fourth. For a page of the queue the
hints of all its leads take one query per kind and table, each bounded. Only records the user sees
are named; matches they can't open are counted, never named (as the contacts' own duplicate check
does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from crmkit.core.contacts import phones
from crmkit.core.contacts.models import Channel
from crmkit.core.leads.models import Lead
from crmkit.core.leads.workflow import OPEN
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

MATCH_LIMIT = 200  # matches read for one page of leads; a switchboard number is not worth more
SHOWN = 5  # hints shown per lead


@dataclass(frozen=True)
class Hint:
    """A record that shares a phone or an email with the lead."""

    entity: str  # "person", "organization" or "lead"
    record_id: int
    title: str
    href: str
    reason: str


@dataclass
class Hints:
    """A lead's hints: the records the user sees, and how many more they can't open."""

    shown: list[Hint] = field(default_factory=list)
    hidden: int = 0

    def __bool__(self) -> bool:
        return bool(self.shown or self.hidden)

    def of(self, entity: str) -> list[Hint]:
        return [hint for hint in self.shown if hint.entity == entity]


def reason_of(kind: str, value: str) -> str:
    if kind == "phone":
        return _("same phone %(value)s", value=phones.pretty(value))
    return _("same email %(value)s", value=value)


def keys_of(leads: list[Any]) -> dict[str, dict[str, list[int]]]:
    """``{"phone": {value: [lead ids]}, "email": {...}}`` for the leads' phone and email keys."""
    found: dict[str, dict[str, list[int]]] = {"phone": {}, "email": {}}
    for lead in leads:
        if lead.phone_key:
            found["phone"].setdefault(lead.phone_key, []).append(lead.id)
        if lead.email_key:
            found["email"].setdefault(lead.email_key.lower(), []).append(lead.id)
    return found


def contact_matches(db, keys: dict[str, dict[str, list[int]]]) -> list[tuple[str, str, str, int]]:
    """``(kind, value, entity, record id)`` of people and organisations holding one of the values."""
    found = []
    for kind in ("phone", "email"):
        values = list(keys[kind])
        if not values:
            continue
        statement = (select(Channel.value, Channel.entity, Channel.record_id)
                     .where(Channel.kind == kind, Channel.value.in_(values))
                     .order_by(Channel.record_id.desc()).limit(MATCH_LIMIT))
        found += [(kind, value, entity, record_id) for value, entity, record_id in db.execute(statement)]
    return found


def lead_matches(db, keys: dict[str, dict[str, list[int]]]) -> list[tuple[str, str, str, int]]:
    """``(kind, value, "lead", lead id)`` of open leads with one of the phone or email keys."""
    conditions = []
    if keys["phone"]:
        conditions.append(Lead.phone_key.in_(list(keys["phone"])))
    if keys["email"]:
        conditions.append(Lead.email_key.in_(list(keys["email"])))
    if not conditions:
        return []
    statement = (select(Lead.id, Lead.phone_key, Lead.email_key)
                 .where(or_(*conditions), Lead.status.in_(OPEN), Lead.archived_at.is_(None))
                 .order_by(Lead.id.desc()).limit(MATCH_LIMIT))
    found = []
    for lead_id, phone_key, email_key in db.execute(statement):
        if phone_key in keys["phone"]:
            found.append(("phone", phone_key, "lead", lead_id))
        if email_key and email_key.lower() in keys["email"]:
            found.append(("email", email_key.lower(), "lead", lead_id))
    return found


def visible_titles(user: Any, db, entity_key: str, ids: set[int]) -> dict[int, str]:
    """Titles of the records of ``entity_key`` among ``ids`` that the user sees (not archived)."""
    entities = current_app.extensions["crmkit"].entities
    if not ids or entity_key not in entities:
        return {}
    records = Records(entities.get(entity_key), user, db)
    if not records.can("view"):
        return {}
    model = records.model
    title = getattr(model, records.entity.title_field)
    statement = records.select().with_only_columns(model.id, title).where(model.id.in_(ids))
    return {record_id: (str(name) if name else f"#{record_id}") for record_id, name in db.execute(statement)}


def live_ids(db, entity_key: str, ids: set[int]) -> set[int]:
    """Which of ``ids`` are records not archived (the matches a user can't see still count)."""
    entities = current_app.extensions["crmkit"].entities
    if not ids or entity_key not in entities:
        return set()
    model = entities.get(entity_key).model
    return set(db.execute(select(model.id).where(model.id.in_(ids), model.archived_at.is_(None))).scalars())


def for_leads(user: Any, db, leads: list[Any]) -> dict[int, Hints]:
    """The hints of each of ``leads`` (a page of the queue, or one lead), by lead id."""
    keys = keys_of(leads)
    matches = contact_matches(db, keys) + lead_matches(db, keys)
    wanted: dict[str, set[int]] = {}
    for _kind, _value, entity, record_id in matches:
        wanted.setdefault(entity, set()).add(record_id)
    titles = {entity: visible_titles(user, db, entity, ids) for entity, ids in wanted.items()}
    live = {entity: live_ids(db, entity, ids - set(titles[entity])) for entity, ids in wanted.items()}
    result: dict[int, Hints] = {lead.id: Hints() for lead in leads}
    reasons: dict[tuple[int, str, int], list[str]] = {}
    for kind, value, entity, record_id in matches:
        for lead_id in keys[kind].get(value, []):
            if entity == "lead" and record_id == lead_id:
                continue
            reasons.setdefault((lead_id, entity, record_id), [])
            reason = reason_of(kind, value)
            if reason not in reasons[(lead_id, entity, record_id)]:
                reasons[(lead_id, entity, record_id)].append(reason)
    hidden_seen: set[tuple[int, str, int]] = set()
    for (lead_id, entity, record_id), found in sorted(reasons.items(), key=lambda item: (item[0][1] == "lead", -item[0][2])):
        hints = result[lead_id]
        if record_id in titles.get(entity, {}):
            if len(hints.shown) < SHOWN:
                endpoint = current_app.extensions["crmkit"].entities.get(entity).endpoint_prefix
                hints.shown.append(Hint(entity, record_id, titles[entity][record_id],
                                        url_for(f"records.{endpoint}_detail", record_id=record_id), "; ".join(found)))
        elif record_id in live.get(entity, set()) and (lead_id, entity, record_id) not in hidden_seen:
            hidden_seen.add((lead_id, entity, record_id))
            hints.hidden += 1
    return result
