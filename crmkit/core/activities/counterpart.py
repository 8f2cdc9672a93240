"""Who an activity is with, for the activities list: the person it is about, else the one person
whose number or address the call or email went to, else a meeting's participants as typed.

A computed column (``ActivitySchema.computed_columns``): worked out for a whole page at once, in
at most three queries whatever its length (the channels holding the page's numbers and addresses,
through their indexed ``(kind, value)``; the titles of the people found, scoped to what the user
sees), never per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import url_for
from markupsafe import Markup

from crmkit import db
from crmkit.core.contacts import channels
from crmkit.core.records import links
from crmkit.i18n import lazy_gettext as _l

PERSON = "person"


def holders(addresses: set[str]) -> dict[str, int]:
    """Each number or address held by exactly one person: the person's id. A number several
    people share (an office switchboard) names no one."""
    emails = {a for a in addresses if "@" in a}
    found: dict[str, set[int]] = {}
    for kind, values in (("phone", addresses - emails), ("email", emails)):
        for entity_key, record_id, value in channels.owners_of(db.session(), kind, values):
            if entity_key == PERSON:
                found.setdefault(value, set()).add(record_id)
    return {value: next(iter(ids)) for value, ids in found.items() if len(ids) == 1}


def people_of(activities: Sequence[Any]) -> dict[int, int]:
    """activity id -> the id of the person it is with, where one is known."""
    by_address = holders({a.their_address for a in activities if a.their_address and a.about_entity != PERSON})
    found = {}
    for activity in activities:
        if activity.about_entity == PERSON and activity.about_id:
            found[activity.id] = activity.about_id
        elif activity.their_address in by_address:
            found[activity.id] = by_address[activity.their_address]
    return found


class Counterpart:
    """The list column: the person's name linked to their page (only people the user sees), or
    the participants a meeting lists."""

    label = _l("With")

    def values(self, activities: Sequence[Any]) -> dict[int, Any]:
        people = people_of(activities)
        names = links.titles(PERSON, set(people.values())) if people else {}
        prefix = url_for(f"records.{PERSON}_detail", record_id=0)[:-1] if names else ""
        shown: dict[int, Any] = {}
        for activity in activities:
            person = people.get(activity.id)
            if person in names:
                shown[activity.id] = Markup('<a href="{}{}">{}</a>').format(prefix, person, names[person])
            elif activity.participants:
                shown[activity.id] = activity.participants.splitlines()[0]
        return shown
