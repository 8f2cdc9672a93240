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
from crmkit.entities.linking import USER

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
    when: tuple[str, tuple[str, ...]] | None = None  # shown only while another field holds one of these values
    hidden: bool = False  # ``when`` does not hold for the values shown: rendered hidden, ignored on saving
    pair: str | None = None  # the id of a pair such as about_id: its sibling naming the entity (about_entity)
    kinds_of_records: bool = False  # that sibling: a select of the entities the user may see
    not_kinds: tuple[str, ...] = ()  # entities that sibling never names (``metadata["not_about"]``)


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


OWNER = "owner_id"  # every record's owner: no schema declares it, yet every list shows and filters it


def build(entity: EntityType, values: dict[str, Any], errors: dict[str, Any], only=None, read_only=False) -> list[FormField]:
    """The form's fields, in schema order, with the given values and per-field errors; ``only``:
    the names wanted (a list's filters), where building every field would be wasted, the owner
    among them when asked for; ``read_only``: computed fields too, for a record's page (see
    ``shown``), where a pair's entity field is left out: its id field links to the record."""
    built = build_fields(entity.schema, values, errors, label_of=entity.field_label, only=only, read_only=read_only)
    if only is not None and OWNER in only and OWNER not in entity.schema._declared_fields:
        built.append(FormField(name=OWNER, label=entity.field_label(OWNER), input_type="select", value=values.get(OWNER),
                               link=USER))
    return built


def condition(schema_field: mf.Field) -> tuple[str, tuple[str, ...]] | None:
    """``metadata["when"] = ("kind", ("call", "email"))``: the field belongs to a call or an email
    only; forms show it while the kind is one of them and ignore it otherwise."""
    when = schema_field.metadata.get("when")
    return (when[0], tuple(when[1])) if when else None


def applies(when: tuple[str, tuple[str, ...]] | None, values: Any, prefix: str = "") -> bool:
    return when is None or str(values.get(prefix + when[0]) or "") in when[1]


def pair_entity_fields(schema) -> set[str]:
    """The sibling fields that name the entity of a pair (``about_entity``)."""
    return {f.metadata["link_entity_field"] for f in schema._declared_fields.values() if f.metadata.get("link_entity_field")}


def column_label(entity: EntityType, name: str) -> Any:
    """A list's column heading: a pair's id column is headed by the pair's name (About)."""
    field = entity.schema._declared_fields.get(name)
    pair = field.metadata.get("link_entity_field") if field is not None else None
    return entity.field_label(pair or name)


def controlling(fields: list[FormField]) -> set[str]:
    """The fields whose value decides which others a form shows (``kind``)."""
    return {f.when[0] for f in fields if f.when}


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
    entity_fields = pair_entity_fields(schema)
    for name, schema_field in schema._declared_fields.items():
        if not shown(schema_field, read_only) or (only is not None and name not in only):
            continue
        if read_only and name in entity_fields:
            continue  # a record's page shows the pair as one link, under the entity field's label
        kind = input_type(schema_field)
        key = prefix + name
        found = errors.get(key, [])
        pair = schema_field.metadata.get("link_entity_field")
        labelled = pair if pair and read_only else name  # a page shows the pair as one link, under the pair's name
        label = label_of(labelled) if label_of else schema_field.metadata.get("label") or name.replace("_", " ").capitalize()
        when = condition(schema_field)
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
                link=schema_field.metadata.get("link") or (values.get(prefix + pair) or None if pair else None),
                read_only=schema_field.dump_only,
                when=when,
                hidden=not applies(when, values, prefix),
                pair=prefix + pair if pair else None,
                kinds_of_records=name in entity_fields,
                not_kinds=tuple(schema_field.metadata.get("not_about", ())),
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


def parse(entity: EntityType, form: Any, parts: list[EntityExtension] = (), keep_hidden: bool = False) -> dict[str, Any]:
    """Form data as schema input, each extension group's fields nested under its name;
    ``keep_hidden``: also the fields the chosen kind hides, for a form shown again, not saved."""
    data = parse_fields(entity.schema, form, keep_hidden=keep_hidden)
    for part in parts:
        data[part.namespace] = parse_fields(part.schema, form, prefix=part.namespace + ".", keep_hidden=keep_hidden)
    return data


def parse_fields(schema, form: Any, prefix: str = "", keep_hidden: bool = False) -> dict[str, Any]:
    """Unchecked boxes are False, empty optional fields are None; a link field's picker sends the
    text typed in it, which names the record (see links.from_form); a field another's value hides
    (``metadata["when"]``) is emptied, so a task keeps no call's outcome."""
    data: dict[str, Any] = {}
    for name, schema_field in schema._declared_fields.items():
        key = prefix + name
        if schema_field.dump_only:
            continue
        if not keep_hidden and not applies(condition(schema_field), form, prefix):
            if schema_field.allow_none:
                data[name] = None
            continue
        if isinstance(schema_field, mf.Boolean):
            data[name] = key in form
            continue
        if (pair := schema_field.metadata.get("link_entity_field")) and key + links.TYPED in form:
            data.update(links.pair_from_form(form, key, prefix + pair, name, pair))
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
