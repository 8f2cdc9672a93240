"""Finding the people and organisations a new or changed one looks like: the record_warnings hook.

A record is similar when it shares a phone (not a switchboard: ``switchboard.py``) or an email (through the ``contacts_channel`` index),
an IIN or a BIN, or, for a person, has a close name in the same organisation; for an
organisation, the same name once case, "ё", punctuation and spaces are folded away.

Only records the user may see are named, with a link. Matches they can't see are reported in one
warning that names neither the records nor their owners ("a record you can't open has the same
phone"): the point of the check is to stop a second card for a colleague's client, and the user
learns nothing they did not type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from types import SimpleNamespace
from typing import Any

from flask import current_app, url_for
from sqlalchemy import or_, select

from crmkit import search
from crmkit.core.contacts import channels, phones
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.duplicates import switchboard
from crmkit.entities.declaration import EntityType
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext
from crmkit.search.text import fold

NAME_RATIO = 0.85
COLLEAGUES_LIMIT = 500  # people of one organisation compared by name
NAMESAKES_LIMIT = 50  # organisations found by the search index for a name
SHOWN_LIMIT = 10
WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class RecordWarning:
    """What the form shows: ``message``, and the similar record's ``title`` and ``href``."""

    message: str
    title: str | None = None
    href: str | None = None


def normal_name(name: str | None) -> str:
    """"Ёлкин  Иван-Петрович" and "елкин иван петрович" are one name."""
    return " ".join(WORD.findall(fold(name or "")))


def similar_names(a: str | None, b: str | None) -> bool:
    a, b = normal_name(a), normal_name(b)
    if not a or not b:
        return False
    return a == b or set(a.split()) == set(b.split()) or SequenceMatcher(None, a, b).ratio() >= NAME_RATIO


def entities_by_key() -> dict[str, EntityType]:
    return {e.key: e for e in current_app.extensions["crmkit"].entities}


def record_warnings(entity: EntityType, values: dict[str, Any], record: Any, user: Any) -> list[RecordWarning]:
    if entity.key not in channels.CONTACT_ENTITIES:
        return []
    records = Records(entity, user)
    reasons: dict[tuple[str, int], list[str]] = {}
    itself = (entity.key, record.id) if record is not None else None
    for key, reason in matches(records, values, record):
        if key != itself and reason not in reasons.setdefault(key, []):
            reasons[key].append(reason)
    return describe(reasons, entity.key, user)


def changed(values: dict[str, Any], record: Any, *names: str) -> bool:
    """On an edit, check only what the edit changes: an old duplicate is no news."""
    return record is None or any(n in values and values[n] != getattr(record, n, None) for n in names)


def matches(records: Records, values: dict[str, Any], record: Any):
    """((entity key, id), reason) for each record the input looks like."""
    db, key = records.db, records.entity.key
    mine = SimpleNamespace(**{n: values.get(n) for n in ("phone", "other_phones", "email", "other_emails")})
    old = set(channels.values_of(record)) if record is not None else set()
    new = [(kind, value) for kind, value in channels.values_of(mine) if (kind, value) not in old]
    for kind in ("phone", "email"):  # one indexed query per kind
        owners = channels.owners_of(db, kind, [v for k, v in new if k == kind])
        if kind == "phone":
            owners = switchboard.without_colleagues(db, key, values, record, owners)
        for owner_key, owner_id, value in owners:
            if kind == "phone":
                yield (owner_key, owner_id), _("same phone %(value)s", value=phones.pretty(value))
            else:
                yield (owner_key, owner_id), _("same email %(value)s", value=value)
    id_field, model = ("iin", Person) if key == "person" else ("bin", Organization)
    if values.get(id_field) and changed(values, record, id_field):
        found = db.execute(select(model.id).where(getattr(model, id_field) == values[id_field]).limit(SHOWN_LIMIT))
        reason = _("same IIN %(value)s", value=values[id_field]) if key == "person" else _("same BIN %(value)s", value=values[id_field])
        for found_id in found.scalars():
            yield (key, found_id), reason
    if key == "person":
        yield from colleagues(records, values, record)
    else:
        yield from namesakes(records, values, record)


def colleagues(records: Records, values: dict[str, Any], record: Any):
    """People of the same organisation with a close name (one indexed query, limited)."""
    org_id = values.get("organization_id", getattr(record, "organization_id", None))
    name = values.get("name", getattr(record, "name", None))
    if not org_id or not name or not changed(values, record, "name", "organization_id"):
        return
    statement = (
        select(Person.id, Person.name)
        .where(Person.organization_id == org_id, Person.archived_at.is_(None))
        .order_by(Person.id)
        .limit(COLLEAGUES_LIMIT)
    )
    for person_id, other in records.db.execute(statement):
        if similar_names(name, other):
            yield ("person", person_id), _("similar name in the same organisation")


def namesakes(records: Records, values: dict[str, Any], record: Any):
    """Organisations whose name folds to the same words, found through the search index."""
    name = values.get("name")
    if not name or not changed(values, record, "name"):
        return
    entity = records.entity
    candidates = or_(Organization.name == name, Organization.id.in_(search.matching_ids(entity, name, records.db)))
    statement = (
        select(Organization.id, Organization.name)
        .where(candidates, Organization.archived_at.is_(None))
        .order_by(Organization.id)
        .limit(NAMESAKES_LIMIT)
    )
    for org_id, other in records.db.execute(statement):
        if normal_name(other) == normal_name(name):
            yield ("organization", org_id), _("same name")


def describe(reasons: dict[tuple[str, int], list[str]], current: str, user: Any) -> list[RecordWarning]:
    """One warning per similar record the user sees, one for all those they don't."""
    entities = entities_by_key()
    warnings: list[RecordWarning] = []
    hidden: list[str] = []
    hidden_count = 0
    for entity_key in sorted({k for k, _id in reasons}):
        entity = entities.get(entity_key)
        if entity is None:
            continue
        ids = sorted(i for k, i in reasons if k == entity_key)
        records = Records(entity, user)
        model, title = entity.model, getattr(entity.model, entity.title_field)
        visible = {}
        if records.can("view"):
            statement = records.select().with_only_columns(model.id, title).where(model.id.in_(ids))
            visible = dict(records.db.execute(statement).all())
        for record_id in ids:
            if record_id not in visible:
                continue
            label = str(visible[record_id])
            if entity_key != current:
                label = _("%(name)s (%(kind)s)", name=label, kind=entity.label)
            href = url_for(f"records.{entity.endpoint_prefix}_detail", record_id=record_id)
            warnings.append(RecordWarning("; ".join(reasons[(entity_key, record_id)]), title=label, href=href))
        unseen = [i for i in ids if i not in visible]
        if unseen:  # archived records don't count as duplicates
            live = records.db.execute(select(model.id).where(model.id.in_(unseen), model.archived_at.is_(None)))
            for record_id in live.scalars():
                hidden_count += 1
                hidden.extend(r for r in reasons[(entity_key, record_id)] if r not in hidden)
    warnings = warnings[:SHOWN_LIMIT]
    if hidden_count:
        message = ngettext(
            "%(num)d record you can't open matches: %(reasons)s.",
            "%(num)d records you can't open match: %(reasons)s.",
            hidden_count,
            reasons="; ".join(hidden),
        )
        warnings.append(RecordWarning(message))
    return warnings
