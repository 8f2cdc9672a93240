"""Loading an import's rows field by field: what ``schema.load(row, partial=True)`` gives, with
less of marshmallow's per-row machinery.

For a schema without pre_load, validates or validates_schema hooks, loading a partial row is
exactly each present field's ``deserialize`` (its validators included), then the post_load hooks;
doing that directly skips about half of validation for plain fields. On top of that:

- a field's blank (None) cell, where the field allows none, is None without a call, as
  ``deserialize`` itself decides;
- a plain marshmallow field (``String``, ``Boolean``... with marshmallow's own validators only)
  gives the same value for the same input, so each distinct input is checked once per import
  (up to ``CACHED_VALUES`` of them): segments, sources, yes/no columns and positions repeat
  from row to row. Inputs that fail are never kept, so every bad row is reported as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, validate
from marshmallow import fields as mf

SCHEMA_ONLY_HOOKS = ("pre_load", "validates", "validates_schema")
OPAQUE_FIELDS = (mf.Nested, mf.Pluck, mf.List, mf.Tuple, mf.Mapping, mf.Method, mf.Function)
# Fields and validators whose result depends on the input alone (exact classes, not subclasses).
PURE_FIELDS = frozenset((mf.String, mf.Boolean, mf.Integer, mf.Float, mf.Decimal, mf.Date, mf.DateTime, mf.Email, mf.Url))
PURE_VALIDATORS = frozenset((
    validate.URL, validate.Email, validate.Range, validate.Length, validate.Equal, validate.Regexp,
    validate.NoneOf, validate.OneOf, validate.ContainsOnly, validate.ContainsNoneOf,
))
CACHED_VALUES = 256  # distinct inputs kept per field; a column of names or phones stops there

Load = Callable[[Any, str, dict[str, Any]], Any]


def field_loaders(schema: Schema, names: list[str]) -> list[tuple[str, str, mf.Field]] | None:
    """(name, result key, field) for loading a row field by field, in the schema's order; None
    where only the schema may load it (schema-level hooks, nested and container fields, renamed
    ones (``data_key``), unknown names)."""
    hooks = getattr(schema, "_hooks", None)
    if hooks is None or not hasattr(schema, "_invoke_load_processors") or any(hooks.get(tag) for tag in SCHEMA_ONLY_HOOKS):
        return None
    loaders = []
    for name in names:
        field = schema.load_fields.get(name)
        if field is None or field.data_key not in (None, name) or isinstance(field, OPAQUE_FIELDS):
            return None
        loaders.append((name, field.attribute or name, field))
    order = list(schema.load_fields)  # the schema's order, so the loaded dict reads the same
    return sorted(loaders, key=lambda loader: order.index(loader[0]))


def is_pure(field: mf.Field) -> bool:
    """Whether ``field.deserialize`` depends on its input alone."""
    return (
        type(field) in PURE_FIELDS
        and not field.pre_load
        and not field.post_load
        and all(type(check) in PURE_VALIDATORS for check in field.validators)
    )


def remembering(field: mf.Field) -> Load:
    """``field.deserialize``, each distinct input's result kept (keyed by type too: True == 1)."""
    known: dict[tuple[type, Any], Any] = {}
    deserialize = field.deserialize

    def load(value: Any, name: str, data: dict[str, Any]) -> Any:
        key = (value.__class__, value)
        found = known.get(key, known)
        if found is not known:
            return found
        loaded = deserialize(value, name, data)  # a ValidationError leaves nothing kept
        if len(known) < CACHED_VALUES:
            known[key] = loaded
        return loaded

    return load


def none_passing(field: mf.Field) -> Load:
    """``field.deserialize``, None given back at once where the field allows it."""
    deserialize = field.deserialize

    def load(value: Any, name: str, data: dict[str, Any]) -> Any:
        return None if value is None else deserialize(value, name, data)

    return load


def loader(field: mf.Field) -> Load:
    if is_pure(field):
        return remembering(field)
    if field.allow_none and not field.pre_load:
        return none_passing(field)
    return field.deserialize


class RowLoader:
    """Loads one import's rows for ``schema`` when ``field_loaders`` allows it (``usable``)."""

    def __init__(self, schema: Schema, names: list[str]):
        self.schema = schema
        found = field_loaders(schema, names)
        self.usable = found is not None
        self.loaders = [(name, key, loader(field)) for name, key, field in found or ()]
        self.post_load = bool(self.usable and schema._hooks.get("post_load"))

    def load(self, data: dict[str, Any]) -> dict[str, Any]:
        """What ``schema.load(data, partial=True)`` gives; raises ValidationError at the first bad
        field (the caller then has the schema report every error of the row)."""
        values = {key: load(data[name], name, data) for name, key, load in self.loaders if name in data}
        if self.post_load:
            values = self.schema._invoke_load_processors(
                "post_load", values, many=False, original_data=data, partial=True, unknown=self.schema.unknown
            )
        return values
