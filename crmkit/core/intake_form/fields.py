"""The fields a web form may ask: the lead's own (name, phone, email, organisation, request) and
those plugins add to leads (``entity_extensions``), each with how the snippet renders it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from marshmallow import fields as mfields
from marshmallow import validate

from crmkit import db
from crmkit.entities import extensions
from crmkit.i18n import lazy_gettext as _l


@dataclass(frozen=True)
class FormField:
    """``key``: the name posted (``phone``, ``wishes.rooms`` for a plugin's field); ``kind``: the
    input (text, textarea, email, tel, number, date, checkbox, select); ``choices``: (value, label)."""

    key: str
    label: Any
    kind: str = "text"
    max_length: int = 200
    choices: tuple[tuple[str, Any], ...] = ()


OWN = (
    FormField("name", _l("Your name"), "text", 200),
    FormField("phone", _l("Phone"), "tel", 50),
    FormField("email", _l("Email"), "email", 320),
    FormField("organization_name", _l("Company"), "text", 200),
    FormField("request", _l("Your request"), "textarea", 5000),
)


def kind_of(field: mfields.Field) -> tuple[str, tuple]:
    choices = next((v for v in field.validators if isinstance(v, validate.OneOf)), None)
    if choices is not None:
        labels = field.metadata.get("choices_labels") or {}
        return "select", tuple((str(c), labels.get(c, c)) for c in choices.choices)
    if isinstance(field, mfields.Boolean):
        return "checkbox", ()
    if isinstance(field, mfields.Integer | mfields.Decimal | mfields.Float):
        return "number", ()
    if isinstance(field, mfields.Date):
        return "date", ()
    if field.metadata.get("multiline"):
        return "textarea", ()
    return "text", ()


def available() -> dict[str, FormField]:
    """Every field a form may ask, by key: the lead's own first, then plugins' in load order."""
    found = {f.key: f for f in OWN}
    entity = current_app.extensions["crmkit"].entities.get("lead")
    for part in extensions.groups(entity, db.session()):
        for name, field in part.schema._declared_fields.items():
            if field.dump_only or field.metadata.get("link"):
                continue
            kind, choices = kind_of(field)
            label = field.metadata.get("label") or name.replace("_", " ").capitalize()
            found[f"{part.namespace}.{name}"] = FormField(f"{part.namespace}.{name}", label, kind, 1000, choices)
    return found
