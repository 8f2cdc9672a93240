"""A list's query parameters as marshmallow fields: the same fields check a request's values
(``problems``) and describe them in the OpenAPI document (``parameters``), so the two agree.

One parameter per declared filter and operator (``due``, ``due__gte``, ``due__lte``,
``name__prefix``), plus ``sort``, ``limit``, ``q`` and ``archived``. The page cursors
(``after``, ``before``) are not among them: a cursor is opaque, written by the server into
``next`` and ``prev``, and a client follows those links rather than making one up.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from marshmallow import ValidationError, fields, validate
from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String

from crmkit.core.api import values
from crmkit.entities import listing
from crmkit.entities.columns import INTEGER_LIMITS, base_type
from crmkit.entities.declaration import EntityType
from crmkit.entities.linking import USER
from crmkit.i18n import gettext as _
from crmkit.validation import translate_messages

DECIMAL = r"^-?[0-9]{1,12}(?:\.[0-9]{1,6})?$"


class Flag(fields.Boolean):
    """``true`` or ``false`` (any case), ``1`` or ``0``: what a query string's boolean is, nothing else."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        text = value.lower() if isinstance(value, str) else value
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.make_error("invalid")


class Whole(fields.Integer):
    """ASCII digits with an optional minus: int() would also take "+1", " 1", "1_0" and "١"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if not isinstance(value, str) or not re.fullmatch(r"-?[0-9]{1,19}", value):
            raise self.make_error("invalid")
        return int(value)


def positive_up_to(top: int) -> str:
    """A regular expression of the whole numbers 1 to ``top`` written plainly, so that what the
    document promises is what the database's column takes (PostgreSQL's integer stops at 2**31 - 1)."""
    digits = str(top)
    shorter = [f"[1-9][0-9]{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    same = []
    for at, digit in enumerate(digits):
        low = "1" if at == 0 else "0"
        if int(digit) > int(low):
            same.append(f"{digits[:at]}[{low}-{int(digit) - 1}][0-9]{{{len(digits) - at - 1}}}")
    return "|".join(shorter + same + [digits])


USER_FILTER = f"^(?:{listing.ME}|{positive_up_to(2**31 - 1)})$"  # a user field's filter: a user's id, or "me"


def text(pattern: str, **metadata: Any) -> fields.String:
    return fields.String(validate=validate.Regexp(pattern), metadata=metadata)


def value_field(column) -> fields.Field:
    """The field a filter's value on ``column`` is read with."""
    kind = base_type(column)
    if isinstance(kind, Boolean):
        return Flag()
    if isinstance(kind, Integer):
        top = next(limit for cls, limit in INTEGER_LIMITS if isinstance(kind, cls))
        return Whole(validate=validate.Range(min=-top, max=top))
    if isinstance(kind, Numeric):
        return text(DECIMAL, format="decimal")
    if isinstance(kind, DateTime):
        return text(values.QUERY_DATETIME, description="ISO 8601 with an offset: YYYY-MM-DDTHH:MM[:SS]+05:00 or Z.")
    if isinstance(kind, Date):
        return text(values.DATE, format="date", description=values.DATE_RULE["description"])
    if isinstance(kind, String) and kind.length:
        return fields.String(validate=validate.Length(max=kind.length))
    return fields.String()


def list_fields(entity: EntityType) -> dict[str, tuple[fields.Field, str]]:
    """Each documented query parameter of the entity's list: its field and what it does."""
    found: dict[str, tuple[fields.Field, str]] = {}
    for name in entity.filters:
        column = entity.model.__table__.c[name]
        label = str(entity.field_label(name))
        field = entity.schema._declared_fields.get(name)
        if field is not None and field.metadata.get("link") == USER:
            found[name] = (text(USER_FILTER), f"{label}: equal to a user's id, or me (the caller)")
        else:
            found[name] = (value_field(column), f"{label}: equal to")
        if not isinstance(base_type(column), Boolean):
            found[f"{name}__gte"] = (value_field(column), f"{label}: at least")
            found[f"{name}__lte"] = (value_field(column), f"{label}: at most")
        if isinstance(base_type(column), String):
            found[f"{name}__prefix"] = (value_field(column), f"{label}: starts with")
    sorts = ["id", "-id"] + [f"{sign}{key}" for key in entity.sort_keys for sign in ("", "-")]
    found["sort"] = (fields.String(validate=validate.OneOf(sorts)), "The order: a sort key, - for descending.")
    found["limit"] = (Whole(validate=validate.Range(min=1, max=listing.MAX_LIMIT)), "Records per page (50 unless given).")
    found["q"] = (fields.String(), "Words to search for in the entity's search fields.")
    found["archived"] = (Flag(), "Include archived records.")
    return found


def checked_fields(entity: EntityType) -> dict[str, fields.Field]:
    """The fields of ``list_fields`` without their descriptions, built once per app and entity:
    building them cost more than reading a request's parameters with them."""
    cache = current_app.extensions.setdefault("crmkit.list_query_fields", {})
    if entity.key not in cache:
        cache[entity.key] = {key: field for key, (field, _description) in list_fields(entity).items()}
    return cache[entity.key]


def problems(entity: EntityType, args) -> dict[str, list[str]]:
    """Each documented parameter whose value its field refuses, or given more than once."""
    found: dict[str, list[str]] = {}
    for key, field in checked_fields(entity).items():
        given = args.getlist(key)
        if len(given) > 1:
            found[key] = [_("Give this parameter once.")]
        elif given:
            try:
                field.deserialize(given[0])
            except ValidationError as error:
                messages = error.messages
                found[key] = translate_messages(messages if isinstance(messages, list) else [messages])
    return found


def parameters(entity: EntityType, converter) -> list[dict[str, Any]]:
    """The list's query parameters for the document, through apispec's field converter."""
    return [
        {"in": "query", "name": key, "required": False, "schema": converter.field2property(field),
         "description": description}
        for key, (field, description) in list_fields(entity).items()
    ]
