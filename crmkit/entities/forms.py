"""HTML forms built from an entity's marshmallow schema, and form data turned back into input.

The schema stays the one source of truth: the same fields, labels and validators serve the
pages, the API and imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import fields as mf
from marshmallow import missing, validate

from crmkit.core.records import links
from crmkit.entities.declaration import EntityType
from crmkit.entities.extensions import EntityExtension
from crmkit.entities.fields import local_form_value

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
    link: str | None = None  # the key of the entity the value points to
    search_url: str | None = None  # a link field with too many records for a select: where its picker searches
    title: str = ""  # what a picker's text box shows: the linked record's title, or the text typed
    read_only: bool = False  # a computed field (``dump_only``): shown on a record's page, never an input


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


def default_of(schema_field: mf.Field) -> Any:
    """What a new record's form shows before anything is typed: the schema's load default."""
    default = schema_field.load_default
    return None if default is missing or callable(default) else default


def display_value(value: Any, kind: str) -> Any:
    if value is None:
        return ""
    if kind == "datetime-local" and isinstance(value, datetime):
        return local_form_value(value)
    if kind == "date" and isinstance(value, date):
        return value.isoformat()
    return value


def build(entity: EntityType, values: dict[str, Any], errors: dict[str, Any], only=None, read_only=False) -> list[FormField]:
    """The form's fields, in schema order, with the given values and per-field errors; ``only``:
    the names wanted (a list's filters), where building every field would be wasted;
    ``read_only``: computed fields too, for a record's page (see ``shown``)."""
    return build_fields(entity.schema, values, errors, label_of=entity.field_label, only=only, read_only=read_only)


def shown(schema_field: mf.Field, read_only: bool) -> bool:
    """Whether a field is built: every input, and with ``read_only`` (a record's page) computed
    fields too, except structures a page has no way to show (a dict kept for the program)."""
    if not schema_field.dump_only:
        return True
    return read_only and not isinstance(schema_field, (mf.Dict, mf.Nested))


def build_fields(schema, values: dict[str, Any], errors: dict[str, Any], prefix: str = "", label_of=None, only=None,
                 read_only=False) -> list[FormField]:
    """Fields of ``schema``; with a prefix (``campaigns.``) names, values and errors use dotted keys."""
    result = []
    for name, schema_field in schema._declared_fields.items():
        if not shown(schema_field, read_only) or (only is not None and name not in only):
            continue
        kind = input_type(schema_field)
        key = prefix + name
        found = errors.get(key, [])
        label = label_of(name) if label_of else schema_field.metadata.get("label") or name.replace("_", " ").capitalize()
        result.append(
            FormField(
                name=key,
                label=label,
                input_type="select" if choices_of(schema_field) else kind,
                value=display_value(values[key] if key in values else default_of(schema_field), kind),
                required=schema_field.required,
                choices=choices_of(schema_field),
                errors=found if isinstance(found, list) else [str(found)],
                help=schema_field.metadata.get("help"),
                max_length=max_length_of(schema_field),
                multiline=bool(schema_field.metadata.get("multiline")),
                step="any" if kind == "number" and not isinstance(schema_field, mf.Integer) else None,
                link=schema_field.metadata.get("link"),
                read_only=schema_field.dump_only,
            )
        )
    return result


@dataclass
class Fieldset:
    """The fields one plugin (or the admin's custom fields) adds, shown under one heading."""

    name: str
    legend: Any
    fields: list[FormField]


def build_groups(parts: list[EntityExtension], values: dict[str, Any], errors: dict[str, Any], read_only=False) -> list[Fieldset]:
    """A fieldset per extension group; ``values`` and ``errors`` use dotted keys."""
    return [Fieldset(p.namespace, p.title, build_fields(p.schema, values, errors, prefix=p.namespace + ".", read_only=read_only))
            for p in parts]


def parse(entity: EntityType, form: Any, parts: list[EntityExtension] = ()) -> dict[str, Any]:
    """Form data as schema input, each extension group's fields nested under its name."""
    data = parse_fields(entity.schema, form)
    for part in parts:
        data[part.namespace] = parse_fields(part.schema, form, prefix=part.namespace + ".")
    return data


def parse_fields(schema, form: Any, prefix: str = "") -> dict[str, Any]:
    """Unchecked boxes are False, empty optional fields are None; a link field's picker sends the
    text typed in it, which names the record (see links.from_form)."""
    data: dict[str, Any] = {}
    for name, schema_field in schema._declared_fields.items():
        key = prefix + name
        if schema_field.dump_only:
            continue
        if isinstance(schema_field, mf.Boolean):
            data[name] = key in form
            continue
        if (target := schema_field.metadata.get("link")) and key + links.TYPED in form:
            data[name] = links.from_form(form, key, target)
            continue
        if key not in form:
            continue
        raw = form.get(key, "").strip()
        if raw == "" and not isinstance(schema_field, mf.String):
            data[name] = None
        elif raw == "" and not schema_field.required:
            data[name] = None if schema_field.allow_none else ""
        else:
            data[name] = raw
    return data
