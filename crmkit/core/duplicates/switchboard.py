"""An office's switchboard: a phone several people of one organisation share is how to reach
them, not a sign that they are one person. Such colleagues are not offered as duplicates of one
another, nor a person as a duplicate of their own organisation over its number.

How many people of one organisation make a number a switchboard is ``DUPLICATE_SWITCHBOARD_PEOPLE``
(``CRMKIT_DUPLICATE_SWITCHBOARD_PEOPLE``, default 2: any two colleagues; 0 turns the rule off,
so every shared phone is a duplicate again). Real duplicates among colleagues are still found
by their close names, email, IIN.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import and_, func, not_, select

from crmkit.core.contacts.models import Channel, Person

SETTING = "DUPLICATE_SWITCHBOARD_PEOPLE"
DEFAULT_PEOPLE = 2


def people_needed() -> int:
    """How many people of one organisation sharing a phone make it their switchboard; 0 is off."""
    try:
        needed = int(current_app.config.get(SETTING, DEFAULT_PEOPLE))
    except (TypeError, ValueError):
        return DEFAULT_PEOPLE
    return 0 if needed <= 0 else max(needed, 2)  # one person alone shares nothing


def without_colleagues(db: Any, entity_key: str, values: dict[str, Any], record: Any,
                       owners: Iterable[tuple[str, int, str]]) -> list[tuple[str, int, str]]:
    """The holders of the phones being saved (``channels.owners_of``) less those the switchboard
    rule excuses: the colleagues sharing a number with the person being saved when, with them,
    enough people of the organisation hold it, and the person's own organisation; for an
    organisation, its own people. One query on primary keys."""
    owners = list(owners)
    needed = people_needed()
    if not needed or not owners:
        return owners
    if entity_key == "person":
        org_id = values.get("organization_id", getattr(record, "organization_id", None))
    else:
        org_id = getattr(record, "id", None)
    if not org_id:
        return owners
    people = {owner_id for key, owner_id, _value in owners if key == "person"}
    employer = dict(db.execute(select(Person.id, Person.organization_id).where(Person.id.in_(people))).all()) if people else {}
    itself = getattr(record, "id", None) if entity_key == "person" else None
    if entity_key == "organization":
        return [o for o in owners if not (o[0] == "person" and employer.get(o[1]) == org_id)]
    holders: dict[str, set[int]] = {}
    for key, owner_id, value in owners:
        if key == "person" and employer.get(owner_id) == org_id and owner_id != itself:
            holders.setdefault(value, set()).add(owner_id)
    shared = {value for value, colleagues in holders.items() if len(colleagues) + 1 >= needed}
    return [
        (key, owner_id, value) for key, owner_id, value in owners
        if not (key == "organization" and owner_id == org_id)
        and not (key == "person" and value in shared and employer.get(owner_id) == org_id)
    ]


def candidates(visible: Any):
    """For the duplicates page: (phone, people) of each number two or more visible people share,
    in order, but those held only by one organisation's people, enough of them to be its
    switchboard; one GROUP BY walking the channel index (kind, value). A number its switchboard
    colleagues share with someone else is left for ``remaining`` to count."""
    people = func.count()
    one_office = and_(
        func.count(func.distinct(Person.organization_id)) == 1,
        func.count(Person.organization_id) == people,
        people >= people_needed(),
    )
    return (
        select(Channel.value, people)
        .join(Person, Person.id == Channel.record_id)
        .where(Channel.kind == "phone", Channel.entity == "person", Channel.record_id.in_(visible))
        .group_by(Channel.value)
        .having(people > 1, not_(one_office))
        .order_by(Channel.value)
    )


def remaining(db: Any, visible: Any, values: list[str]) -> dict[str, int]:
    """For the duplicates page: how many of the visible people holding each of ``values`` are
    left once each organisation's switchboard holders are set aside. One query on the channel
    index (kind, value) for the page's candidate numbers, never the whole table."""
    needed = people_needed()
    statement = (
        select(Channel.value, Person.organization_id, func.count())
        .join(Person, Person.id == Channel.record_id)
        .where(Channel.kind == "phone", Channel.entity == "person", Channel.value.in_(values), Channel.record_id.in_(visible))
        .group_by(Channel.value, Person.organization_id)
    )
    left: dict[str, int] = {}
    for value, org_id, size in db.execute(statement):
        kept = size if not needed or org_id is None or size < needed else 0
        left[value] = left.get(value, 0) + kept
    return left


def left_out(rows: list[tuple[Any, str]]) -> set[tuple[int, str]]:
    """(person id, phone) of one page's loaded (person, phone) rows that are switchboard holders:
    enough colleagues of one organisation share that phone (the rule of ``people_groups``)."""
    needed = people_needed()
    by_pair: dict[tuple[str, int], list[int]] = {}
    for person, value in rows:
        org_id = getattr(person, "organization_id", None)
        if needed and org_id:
            by_pair.setdefault((value, org_id), []).append(person.id)
    return {(i, value) for (value, _org), ids in by_pair.items() if len(ids) >= needed for i in ids}
