"""Who is calling: the people and organisations a phone number belongs to, as one user sees them.

A lookup answers while the phone rings, with a million contacts, so it is a handful of indexed
queries whatever the table sizes: one equality on ``contacts_channel (kind, value)``, primary-key
reads of the matching records (scoped by ``Records.select``, so visibility holds), one read of
their organisations' names, one of their owners, and per record its last activities through
``ix_activity_about``. Plugins add to each card through the ``caller_lookup`` hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit.core.auth.models import User
from crmkit.core.contacts import channels, phones
from crmkit.entities.declaration import EntityType
from crmkit.entities.service import Records

MAX_MATCHES = 20  # a number shared by more records than this is a switchboard; the rest is not shown
LAST_ACTIVITIES = 5


@dataclass
class Entry:
    """One of the last activities about a record, and who does it."""

    activity: Any
    owner: User | None = None


@dataclass
class Match:
    """One person or organisation holding the number, with what the card shows about it."""

    entity: EntityType
    record: Any
    phones: list[str]
    organization: Any = None  # for a person: their main organisation, when the user sees it
    owner: User | None = None
    activities: list[Entry] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)


@dataclass
class Lookup:
    phone: str  # E.164
    display: str  # the number as people read it: +7 701 123 4567
    country: str | None
    matches: list[Match]
    more: bool  # more records hold the number than are shown


def parse(raw: str | None) -> str:
    """The number in E.164, read in the deployment's default region; ValueError with the message."""
    return phones.normalize(raw or "", phones.default_region())


def entity(key: str) -> EntityType:
    return current_app.extensions["crmkit"].entities.get(key)


def phones_of(record: Any) -> list[str]:
    """The record's numbers for display, the main one first."""
    return [phones.pretty(value) for kind, value in channels.values_of(record) if kind == "phone"]


def lookup(user: Any, e164: str) -> Lookup:
    """Everything the user may see about the holders of ``e164``."""
    people, organizations = entity("person"), entity("organization")
    person_records, org_records = Records(people, user), Records(organizations, user)
    db = person_records.db
    owners: dict[str, list[int]] = {}
    for entity_key, record_id, _value in channels.owners_of(db, "phone", [e164]):
        owners.setdefault(entity_key, []).append(record_id)
    found: list[tuple[EntityType, Any]] = []
    more = False
    for records in (person_records, org_records):
        ids = owners.get(records.entity.key)
        if not ids or not records.can("view"):
            continue
        statement = records.select().where(records.model.id.in_(ids)).order_by(records.model.id)
        rows = list(db.execute(statement.limit(MAX_MATCHES + 1 - len(found))).scalars())
        more = more or len(found) + len(rows) > MAX_MATCHES
        found.extend((records.entity, row) for row in rows[: MAX_MATCHES - len(found)])
    matches = [Match(entity=e, record=r, phones=phones_of(r)) for e, r in found]
    add_organizations(org_records, matches)
    add_activities(user, matches)
    add_owners(db, matches)
    add_extras(user, matches)
    return Lookup(phone=e164, display=phones.pretty(e164), country=phones.country_of(e164), matches=matches, more=more)


def add_organizations(org_records: Records, matches: list[Match]) -> None:
    """People's organisations, those the user sees, in one query."""
    wanted = {m.record.organization_id for m in matches if getattr(m.record, "organization_id", None)}
    if not wanted or not org_records.can("view"):
        return
    model = org_records.model
    statement = org_records.select(include_archived=True).where(model.id.in_(wanted))
    by_id = {org.id: org for org in org_records.db.execute(statement).scalars()}
    for match in matches:
        match.organization = by_id.get(getattr(match.record, "organization_id", None))


def add_activities(user: Any, matches: list[Match]) -> None:
    """The last few activities about each record that the user sees, newest first."""
    try:
        records = Records(entity("activity"), user)
    except KeyError:  # no activities entity in this app
        return
    if not records.can("view"):
        return
    model = records.model
    for match in matches:
        statement = (
            records.select()
            .where(model.about_entity == match.entity.key, model.about_id == match.record.id)
            .order_by(model.happened_at.desc().nulls_last(), model.id.desc())
            .limit(LAST_ACTIVITIES)
        )
        match.activities = [Entry(activity) for activity in records.db.execute(statement).scalars()]


def add_owners(db, matches: list[Match]) -> None:
    """Owners of the records and of their activities, in one query."""
    ids = {m.record.owner_id for m in matches} | {e.activity.owner_id for m in matches for e in m.activities}
    ids.discard(None)
    users = {u.id: u for u in db.execute(select(User).where(User.id.in_(ids))).scalars()} if ids else {}
    for match in matches:
        match.owner = users.get(match.record.owner_id)
        for entry in match.activities:
            entry.owner = users.get(entry.activity.owner_id)


def add_extras(user: Any, matches: list[Match]) -> None:
    """What each plugin adds through ``caller_lookup``, under the plugin's name."""
    pm = current_app.extensions["crmkit"].pm
    impls = pm.hook.caller_lookup.get_hookimpls()
    for match in matches:
        given = {"entity": match.entity, "record": match.record, "user": user}
        for impl in impls:
            data = impl.function(*(given[name] for name in impl.argnames))
            if data is not None:
                match.extras[impl.plugin_name] = data


# JSON


def person_name(user: User | None) -> dict[str, Any] | None:
    return {"id": user.id, "name": user.name or user.email} if user is not None else None


def iso(moment: datetime | None) -> str | None:
    """A stored moment in ISO 8601 with its UTC offset; naive values count as UTC."""
    if moment is None:
        return None
    return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)).isoformat()


def as_json(result: Lookup, url_of) -> dict[str, Any]:
    """The API's answer; ``url_of(entity_key, record_id)`` makes each record's address."""
    return {
        "phone": result.phone,
        "phone_display": result.display,
        "country": result.country,
        "matches": [match_json(match, url_of) for match in result.matches],
        "more": result.more,
    }


def match_json(match: Match, url_of) -> dict[str, Any]:
    record = match.record
    body: dict[str, Any] = {
        "entity": match.entity.key,
        "id": record.id,
        "name": record.name,
        "url": url_of(match.entity.key, record.id),
        "phones": match.phones,
        "owner": person_name(match.owner),
    }
    if match.entity.key == "person":
        org = match.organization
        body["organization"] = {"id": org.id, "name": org.name, "url": url_of("organization", org.id)} if org else None
        body["position"] = record.position
    body["activities"] = [activity_json(entry, url_of) for entry in match.activities]
    body["extras"] = match.extras
    return body


def activity_json(entry: Entry, url_of) -> dict[str, Any]:
    a = entry.activity
    return {
        "id": a.id,
        "kind": a.kind,
        "subject": a.subject,
        "happened_at": iso(a.happened_at),
        "direction": a.direction,
        "outcome": a.outcome,
        "status": a.status,
        "owner": person_name(entry.owner),
        "url": url_of("activity", a.id),
    }
