"""Phone numbers on a record's page, each with what plugins offer to do with it
(``phone_actions``: click-to-call, a text message...).

A field holds phones when its marshmallow field says so (``phone_numbers = True`` on the
contacts' ``Phone`` and ``PhoneList``) or its metadata has ``phone: True`` (a lead's phones as
typed). Plugins are asked once per page, not once per number.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from crmkit.core.contacts import phones
from crmkit.entities.declaration import EntityType


def phone_fields(entity: EntityType) -> frozenset[str]:
    """The names of the entity's fields that hold phone numbers."""
    return frozenset(name for name, field in entity.schema._declared_fields.items()
                     if getattr(field, "phone_numbers", False) or field.metadata.get("phone"))


def actions(entity: EntityType, record: Any, user: Any) -> list:
    """What the plugins offer on this page's phones, in order; empty when none does."""
    pm = current_app.extensions["crmkit"].pm
    found = pm.hook.phone_actions(entity=entity, record=record, user=user)
    return sorted((a for offered in found for a in offered or []), key=lambda a: a.order)


def numbers(value: Any) -> list[tuple[str | None, str]]:
    """Each number of a stored value: ``(E.164, as shown)``; text that is no number is
    ``(None, text)``, shown as it is and offered nothing."""
    found: list[tuple[str | None, str]] = []
    region = phones.default_region()
    for entry in phones.split(str(value or "")):
        try:
            e164 = phones.normalize(entry, region)
        except ValueError:
            found.append((None, entry))
            continue
        found.append((e164, phones.pretty(e164)))
    return found
