"""HTML forms built from an entity's marshmallow schema, and form data turned back into input.

The schema stays the one source of truth: the same fields, labels and validators serve the
pages, the API and imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import fields as mf
from marshmallow import validate

from crmkit.entities.declaration import EntityType

INPUT_TYPES: list[tuple[type, str]] = [
    (mf.Boolean, "checkbox"),
    (mf.Email, "email"),
    (mf.Url, "url"),
    (mf.Integer, "number"),
    (mf.Decimal, "number"),
    (mf.Float, "number"),
    (mf.DateTime, "datetime-local"),
    (mf.Date, "date"),
]


@dataclass
class FormField:
    name: str
    label: Any
    input_type: str
    value: Any = None
    required: bool = False
    choices: list[tuple[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    help: Any = None
    max_length: int | None = None
    multiline: bool = False
    step: str | None = None


def input_type(schema_field: mf.Field) -> str:
    for kind, name in INPUT_TYPES:
        if isinstance(schema_field, kind):
            return name
    return "text"


def choices_of(schema_field: mf.Field) -> list[tuple[str, Any]]:
    labels = schema_field.metadata.get("choices_labels", {})
    for validator in schema_field.validators:
        if isinstance(validator, validate.OneOf):
            return [(str(choice), labels.get(choice, choice)) for choice in validator.choices]
    return []


def max_length_of(schema_field: mf.Field) -> int | None:
    for validator in schema_field.validators:
        if isinstance(validator, validate.Length) and validator.max is not None:
            return validator.max
    return None


def display_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "datetime-local" and isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return value


def build(entity: EntityType, values: dict[str, Any], errors: dict[str, Any]) -> list[FormField]:
    """The form's fields, in schema order, with the given values and per-field errors."""
    result = []
    for name, schema_field in entity.schema._declared_fields.items():
        if schema_field.dump_only:
            continue
        kind = input_type(schema_field)
        found = errors.get(name, [])
        result.append(
            FormField(
                name=name,
                label=entity.field_label(name),
                input_type="select" if choices_of(schema_field) else kind,
                value=display_value(values.get(name), kind),
                required=schema_field.required,
                choices=choices_of(schema_field),
                errors=found if isinstance(found, list) else [str(found)],
                help=schema_field.metadata.get("help"),
                max_length=max_length_of(schema_field),
                multiline=bool(schema_field.metadata.get("multiline")),
                step="any" if kind == "number" and not isinstance(schema_field, mf.Integer) else None,
            )
        )
    return result


def parse(entity: EntityType, form: Any) -> dict[str, Any]:
    """Form data as schema input: unchecked boxes are False, empty optional fields are None."""
    data: dict[str, Any] = {}
    for name, schema_field in entity.schema._declared_fields.items():
        if schema_field.dump_only:
            continue
        if isinstance(schema_field, mf.Boolean):
            data[name] = name in form
            continue
        if name not in form:
            continue
        raw = form.get(name, "").strip()
        if raw == "" and not isinstance(schema_field, mf.String):
            data[name] = None
        elif raw == "" and not schema_field.required:
            data[name] = None if schema_field.allow_none else ""
        else:
            data[name] = raw
    return data
