"""The app's entity types, collected from every plugin's register_entities and checked once."""

from __future__ import annotations

from collections.abc import Iterator

import pluggy

from crmkit.entities.declaration import EntityType
from crmkit.entities.record import Record
from crmkit.plugins import PluginError


class EntityError(PluginError):
    """An entity declaration is wrong; the message names the plugin and the field."""


class EntityRegistry:
    def __init__(self, types: list[EntityType]):
        self._by_key = {t.key: t for t in types}

    def __iter__(self) -> Iterator[EntityType]:
        return iter(self._by_key.values())

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def get(self, key: str) -> EntityType:
        return self._by_key[key]

    def by_model(self, model: type) -> EntityType | None:
        return next((t for t in self if t.model is model), None)


def settable_property(model: type, name: str) -> bool:
    """A schema field kept outside the table: a property with a setter, which the entity's plugin
    stores elsewhere in its entity_event hook (a deal's competitors)."""
    found = getattr(model, name, None)
    return isinstance(found, property) and found.fset is not None


def check(entity: EntityType) -> None:
    where = f"plugin {entity.plugin!r}, entity {entity.name!r}"
    if not (isinstance(entity.model, type) and issubclass(entity.model, Record)):
        raise EntityError(f"{where}: model must subclass crmkit.Record")
    columns = set(entity.model.__table__.c.keys())
    fields = set(entity.schema._declared_fields)
    for attr in ("list_columns", "filters", "sort_keys", "search_fields", "dedup_keys"):
        computed = set(getattr(entity.schema, "computed_columns", {})) if attr == "list_columns" else set()
        unknown = sorted(set(getattr(entity, attr)) - columns - computed)
        if unknown:
            raise EntityError(f"{where}: {attr} names fields the table does not have: {', '.join(unknown)}")
    unknown = sorted(name for name in fields - columns if not settable_property(entity.model, name))
    if unknown:
        raise EntityError(f"{where}: the schema has fields the table does not have: {', '.join(unknown)}")
    if entity.title_field not in columns:
        raise EntityError(f"{where}: title_field {entity.title_field!r} is not a column")
    if entity.workflow is not None and not (entity.workflow.field in columns and entity.workflow.field in fields):
        raise EntityError(f"{where}: the workflow's field {entity.workflow.field!r} is not a field of the schema and table")


def collect(pm: pluggy.PluginManager) -> EntityRegistry:
    types: list[EntityType] = []
    for impl in pm.hook.register_entities.get_hookimpls():
        for entity in impl.function() or []:
            entity = entity.owned_by(impl.plugin_name)
            check(entity)
            types.append(entity)
    keys = [t.key for t in types]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise EntityError(f"two entity types share the key {', '.join(duplicates)}")
    return EntityRegistry(types)
