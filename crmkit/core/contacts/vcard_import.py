"""Importing vCards: every card checked by the Person schema, people already known by phone or
email (``contacts_channel``) skipped or updated, organisations linked by name, and the whole
file saved in one transaction or not at all. Reading the cards is crmkit.core.contacts.vcard's.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from flask import g
from sqlalchemy import select
from sqlmodel import Session

from crmkit import db as database
from crmkit.core.contacts import channels
from crmkit.core.contacts.fields import typed_phones
from crmkit.core.contacts.vcard import BATCH, CHANNEL_FIELDS, Card, entity
from crmkit.entities.errors import Invalid
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: int = 0
    problems: list[Card] = field(default_factory=list)  # the cards that stop the import

    def refuse(self, card: Card, errors: dict[str, list[str]]) -> None:
        card.errors = {**card.errors, **errors}
        self.problems.append(card)


class _Undo(Exception):
    """Raised inside ``atomic`` to roll everything back."""


@contextmanager
def atomic() -> Iterator[Session]:
    """One transaction around many ``Records`` writes, each of which commits: inside, a commit
    only releases a savepoint. ``crmkit.db.session()`` is this session meanwhile, so what hooks
    write (the channel index, search, webhooks) is part of it."""
    engine = database.engine()
    previous = g.pop("crmkit_session", None)
    with engine.connect() as connection:
        transaction = connection.begin()
        if engine.dialect.name == "sqlite":  # else pysqlite lets the first SAVEPOINT be the transaction
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        session = g.crmkit_session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield session
        except BaseException:
            session.close()
            transaction.rollback()
            raise
        else:
            session.close()
            transaction.commit()
        finally:
            g.pop("crmkit_session", None)
            if previous is not None:
                g.crmkit_session = previous


def keys_of(values: dict[str, Any]) -> list[tuple[str, str]]:
    """(kind, value) of each phone and email of checked person values, as the channel index holds them."""
    fields = {name: values.get(name) for _kind, main, others in CHANNEL_FIELDS for name in (main, others)}
    return list(channels.values_of(SimpleNamespace(**fields)))


def chunks(values: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def import_cards(cards: list[Card], user: Any, update: bool = False) -> Outcome:
    """Create the people of ``cards``, skip (or, with ``update``, update) those already known.

    Nothing is written unless every card is valid; then everything is, in one transaction.
    """
    people, orgs = Records(entity("person"), user), Records(entity("organization"), user)
    for action in ("import", "create", *(("edit",) if update else ())):
        people.require(action)
    outcome = Outcome()
    checked = []
    for card in cards:
        if card.errors:
            outcome.refuse(card, {})
            continue
        try:
            checked.append((card, people.validate(card.data, partial=False)))
        except Invalid as error:
            outcome.refuse(card, error.fields)
    plan = plan_writes(people, checked, update, outcome)
    org_ids, new_orgs = organizations_for(orgs, {card.organization for _a, card, _v, _t in plan if card.organization}, plan, outcome)
    if outcome.problems:
        return outcome
    try:
        with atomic() as session:
            write(people, orgs, session, plan, org_ids, new_orgs, outcome)
    except _Undo:
        outcome.created, outcome.updated = [], []
    return outcome


def plan_writes(people: Records, checked: list, update: bool, outcome: Outcome) -> list[tuple[str, Card, dict, int | None]]:
    """("create" | "update", card, its checked values, person id) per card; duplicates skipped or refused."""
    holders: dict[tuple[str, str], set[int]] = {}
    for kind in ("phone", "email"):
        for chunk in chunks(sorted({v for _c, values in checked for k, v in keys_of(values) if k == kind})):
            for entity_key, record_id, value in channels.owners_of(people.db, kind, chunk):
                if entity_key == "person":
                    holders.setdefault((kind, value), set()).add(record_id)
    model = people.model
    live = {}
    for chunk in chunks(sorted(set().union(*holders.values()))):
        statement = select(model.id, model.owner_id).where(model.id.in_(chunk), model.archived_at.is_(None))
        live.update({row.id: row for row in people.db.execute(statement)})
    plan, seen = [], set()
    for card, values in checked:
        keys = keys_of(values)
        if seen.intersection(keys):  # an earlier card of this file has the same phone or email
            outcome.skipped += 1
            continue
        seen.update(keys)
        found = sorted(i for key in keys for i in holders.get(key, ()) if i in live)
        visible = [i for i in found if people.access.sees("person", live[i])]
        if not found:
            plan.append(("create", card, values, None))
        elif not update:
            outcome.skipped += 1
        elif visible:
            plan.append(("update", card, values, visible[0]))
        else:
            message = _("A record with this value exists and you cannot change it.")
            outcome.refuse(card, {keys[0][0]: [message]})
    return plan


def organizations_for(orgs: Records, names: set[str], plan: list, outcome: Outcome) -> tuple[dict[str, int], list[str]]:
    """Ids of visible organisations named exactly so, and the names to create (when the user may)."""
    found: dict[str, int] = {}
    if names and orgs.can("view"):
        model = orgs.model
        for chunk in chunks(sorted(names)):
            statement = orgs.select().with_only_columns(model.id, model.name).where(model.name.in_(chunk)).order_by(model.id)
            for org_id, name in orgs.db.execute(statement):
                found.setdefault(name, org_id)
    missing = sorted(names - set(found)) if orgs.can("create") else []
    for name in missing:
        try:
            orgs.validate({"name": name}, partial=False)
        except Invalid as error:
            for _action, card, _values, _target in plan:
                if card.organization == name:
                    outcome.refuse(card, {"organization_id": error.fields.get("name", [])})
    return found, missing


def write(people: Records, orgs: Records, session: Session, plan: list, org_ids: dict, new_orgs: list, outcome: Outcome) -> None:
    people, orgs = Records(people.entity, people.user, session), Records(orgs.entity, orgs.user, session)
    org_ids = dict(org_ids)
    for name in new_orgs:
        org_ids[name] = orgs.create({"name": name}).id
    for action, card, values, target in plan:
        data = dict(card.data)
        if card.organization in org_ids:
            data["organization_id"] = org_ids[card.organization]
        try:
            if action == "create":
                outcome.created.append(people.create(data).id)
            else:
                record = session.get(people.model, target)
                people.update(record, merged(record, data, values), version=None)
                outcome.updated.append(record.id)
        except Invalid as error:  # a plugin's before_* hook refused it
            outcome.refuse(card, error.fields)
    if outcome.problems:
        raise _Undo


def merged(record: Any, data: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The card's fields over the record's; its phones and emails are added, none is dropped.

    Phones are given as they were typed (the record's own, then the card's), so the record
    keeps every typing in ``phones_typed``.
    """
    channel_fields = {name for _kind, main, others in CHANNEL_FIELDS for name in (main, others)}
    result = {name: value for name, value in data.items() if name not in channel_fields}
    typed = {**typed_phones([data.get("phone"), data.get("other_phones")]), **(record.phones_typed or {})}
    for kind, main, others in CHANNEL_FIELDS:
        mine = [v for v in (getattr(record, main), *(getattr(record, others) or "").splitlines()) if v]
        known = {v.casefold() for v in mine}
        new = [v for v in (values.get(main), *(values.get(others) or "").splitlines()) if v and v.casefold() not in known]
        if new:
            combined = [typed.get(v, v) if kind == "phone" else v for v in mine + list(dict.fromkeys(new))]
            result[main], result[others] = combined[0], "\n".join(combined[1:]) or None
    return result
