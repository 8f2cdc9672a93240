"""Fields on another plugin's entity, and admin-defined custom fields, through one mechanism.

An extension adds a group of fields to an entity, named after the plugin that adds it. Its values
live either in the extended record's ``extra`` JSON column under that name (light fields) or in a
table the extending plugin owns, one row per extended record (typed, queryable fields). Admins'
custom fields are one more group, ``custom``, whose schema is built from ``core_custom_field`` at
request time, so a new field needs neither code nor a restart.

The effective schema of an entity nests each group under its name::

    {"name": "Flat", "campaigns": {"utm_source": "mail"}, "custom": {"region": "Almaty"}}

Forms, errors and history flatten it to dotted keys (``campaigns.utm_source``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from flask import current_app
from marshmallow import Schema, fields
from sqlalchemy import select

from crmkit.entities.declaration import EntityType
from crmkit.entities.fields import StrictInput
from crmkit.entities.history import plain
from crmkit.plugins import PluginError

CUSTOM = "custom"
log = logging.getLogger("crmkit.entities")


@dataclass(frozen=True)
class EntityExtension:
    """Fields a plugin adds to another plugin's entity, returned from ``entity_extensions``.

    :param entity: the key of the extended entity (``"contact"``, ``"real_estate.property"``).
    :param schema: a marshmallow schema of the added fields; ``metadata={"label": ...}`` names each.
        A ``dump_only`` field is read-only: a value the plugin computes and stores itself (a
        count kept by an ``entity_event`` handler), shown on pages and in the API, never an input.
    :param model: for typed fields, the plugin's SQLModel table with one row per extended record;
        None keeps the values in the record's ``extra`` JSON column under the plugin's name.
    :param record_column: the column of ``model`` holding the extended record's id (a foreign key
        to it, unique).
    :param label: the heading of the fields' group on forms and pages; defaults to the plugin name.
    :param store: for values kept elsewhere than one row per record (many links: the inventory's
        items), an object with ``current(db, record) -> dict``, ``save(db, record, values)`` and
        ``condition(entity, name, raw)`` (a list's filter); it replaces ``model``.
    """

    entity: str
    schema: type[Schema]
    model: type | None = None
    record_column: str = "record_id"
    label: Any = None
    namespace: str = ""  # the plugin's name, filled in when collected
    store: Any = None

    @property
    def typed(self) -> bool:
        return self.model is not None or self.store is not None

    @property
    def title(self) -> Any:
        return self.label or self.namespace.replace("_", " ").capitalize()


class ExtensionError(PluginError):
    """An extension is wrong; the message names the plugin."""


def collect(pm, entities) -> dict[str, list[EntityExtension]]:
    """Every plugin's extensions by extended entity key, checked once at start-up."""
    found: dict[str, list[EntityExtension]] = {}
    for impl in pm.hook.entity_extensions.get_hookimpls():
        namespace = impl.plugin_name.removeprefix("core.")
        for extension in impl.function() or []:
            extension = replace(extension, namespace=namespace)
            where = f"plugin {impl.plugin_name!r} extending {extension.entity!r}"
            if extension.entity not in entities:
                log.warning("%s: no such entity is loaded; the extension is ignored", where)
                continue
            entity = entities.get(extension.entity)
            if namespace == CUSTOM or namespace in entity.schema._declared_fields:
                raise ExtensionError(f"{where}: the name {namespace!r} is taken by a field of the entity")
            if any(e.namespace == namespace for e in found.get(extension.entity, [])):
                raise ExtensionError(f"{where}: a plugin extends an entity once")
            if extension.model is not None and extension.record_column not in extension.model.__table__.c:
                raise ExtensionError(f"{where}: {extension.model.__name__} has no column {extension.record_column!r}")
            found.setdefault(extension.entity, []).append(extension)
    return found


# The custom-fields provider is registered by crmkit.core.records; it builds the schema at request time.
custom_schema_provider: Callable[[Any, str], type[Schema] | None] | None = None


def groups(entity: EntityType, db=None) -> list[EntityExtension]:
    """The entity's extension groups, in plugin order, then the admin's custom fields."""
    found = list(current_app.extensions.get("crmkit.entity_extensions", {}).get(entity.key, []))
    if custom_schema_provider is not None:
        from crmkit import db as database

        schema = custom_schema_provider(db or database.session(), entity.key)
        if schema is not None:
            found.append(EntityExtension(entity.key, schema, namespace=CUSTOM, label=_custom_label()))
    return found


def _custom_label():
    from flask_babel import lazy_gettext as _l

    return _l("Custom fields")


def effective_schema(entity: EntityType, parts: list[EntityExtension]) -> type[Schema]:
    """The entity's schema with each group nested under its name, its input read strictly
    (whole numbers, dates: see crmkit.entities.fields.StrictInput)."""
    if not parts:
        return strict_schema(entity.schema)
    nested: dict[str, Any] = {p.namespace: fields.Nested(p.schema, required=False) for p in parts}
    # Built per request: kept out of marshmallow's class registry, which would otherwise grow.
    nested["Meta"] = type("Meta", (getattr(entity.schema, "Meta", object),), {"register": False})
    return type(f"{entity.schema.__name__}Effective", (StrictInput, entity.schema), nested)


@lru_cache(maxsize=None)
def strict_schema(schema: type[Schema]) -> type[Schema]:
    """``schema`` with StrictInput mixed in, one class per schema (kept out of marshmallow's registry)."""
    meta = type("Meta", (getattr(schema, "Meta", object),), {"register": False})
    return type(schema.__name__, (StrictInput, schema), {"Meta": meta})


class Unregistered(Schema):
    """Base of schemas built at request time (custom fields), kept out of marshmallow's registry."""

    class Meta:
        register = False


def split(values: dict[str, Any], parts: list[EntityExtension]) -> tuple[dict[str, Any], dict[str, dict]]:
    """Loaded values as the record's own and each group's."""
    names = {p.namespace for p in parts}
    own = {k: v for k, v in values.items() if k not in names}
    return own, {k: v for k, v in values.items() if k in names and v}


def flatten(nested: dict[str, Any], parts: list[EntityExtension]) -> dict[str, Any]:
    """``{"campaigns": {"utm_source": x}}`` as ``{"campaigns.utm_source": x}``; other keys stay."""
    names = {p.namespace for p in parts}
    flat: dict[str, Any] = {}
    for key, value in nested.items():
        if key in names and isinstance(value, dict):
            flat.update({f"{key}.{name}": inner for name, inner in value.items()})
        else:
            flat[key] = value
    return flat


def _typed_row(db, part: EntityExtension, record_id: int):
    column = part.model.__table__.c[part.record_column]
    return db.execute(select(part.model).where(column == record_id)).scalars().first()


def current(db, record: Any, parts: list[EntityExtension]) -> dict[str, dict[str, Any]]:
    """Each group's stored values for ``record``, nested by name: read-only fields (``dump_only``,
    a count the plugin keeps up to date) too, so pages and the API show them; input never sets them."""
    result: dict[str, dict[str, Any]] = {}
    for part in parts:
        names = list(part.schema._declared_fields)
        if part.store is not None:
            result[part.namespace] = part.store.current(db, record)
        elif part.typed:
            row = _typed_row(db, part, record.id) if record.id is not None else None
            result[part.namespace] = {n: getattr(row, n, None) for n in names}
        else:
            stored = (record.extra or {}).get(part.namespace) or {}
            result[part.namespace] = {n: stored.get(n) for n in names}
    return result


def save_light(record: Any, parts: list[EntityExtension], values: dict[str, dict]) -> None:
    """Write light groups into ``extra``, before the record is flushed (no second UPDATE)."""
    extra = dict(record.extra or {})
    for part in parts:
        given = values.get(part.namespace)
        if given and not part.typed:
            extra[part.namespace] = {**extra.get(part.namespace, {}), **{k: plain(v) for k, v in given.items()}}
    if extra != (record.extra or {}):
        record.extra = extra  # a new dict, so the JSON column is seen as changed


def save_typed(db, record: Any, parts: list[EntityExtension], values: dict[str, dict]) -> None:
    """Write typed groups into their plugins' tables, in the caller's transaction; needs ``record.id``."""
    for part in parts:
        given = values.get(part.namespace)
        if not given or not part.typed:
            continue
        if part.store is not None:
            part.store.save(db, record, given)
            continue
        row = _typed_row(db, part, record.id)
        if row is None:
            row = part.model(**{part.record_column: record.id})
        for name, value in given.items():
            setattr(row, name, value)
        db.add(row)


def field_label(parts: list[EntityExtension], key: str) -> Any:
    """The label of a dotted key such as ``campaigns.utm_source``, or None when it isn't one."""
    namespace, _, name = key.partition(".")
    for part in parts:
        if part.namespace == namespace:
            field = part.schema._declared_fields.get(name)
            label = field.metadata.get("label") if field is not None else None
            return label or name.replace("_", " ").capitalize()
    return None
