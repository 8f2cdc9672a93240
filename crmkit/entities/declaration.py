"""What a plugin says about an entity type; everything else is derived from it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from marshmallow import Schema

ACTIONS = ("view", "create", "edit", "archive", "import", "export")


@dataclass(frozen=True)
class EntityType:
    """An entity type, declared once through ``register_entities``.

    :param name: short name, unique within the plugin (``"contact"``, ``"property"``).
    :param model: the SQLModel table, a subclass of ``crmkit.Record``.
    :param schema: the marshmallow schema of the fields people and programs may set. A field's
        ``metadata`` may carry ``label`` (shown on forms and lists), ``help``, ``link`` (the key of
        another entity the value points to), ``link_entity_field`` (on the id of a pair such as
        ``about_entity``/``about_id``: the field naming the entity) and ``choices_labels``. Links
        accept only records the user sees (crmkit.entities.linking).
    :param label: singular label, a lazy gettext string.
    :param label_plural: plural label for lists and navigation.
    :param list_columns: fields shown as list columns, in order.
    :param filters: fields the list can be filtered by.
    :param sort_keys: fields the list can be sorted by; give each an index.
    :param search_fields: fields the global search looks in.
    :param title_field: the field that names a record in links and headings.
    :param dedup_keys: fields that identify a duplicate on import (``("email", "phone")``).
    :param default_sort: the list's sort when none is asked for; ``-`` for descending.
    :param nav_order: where the entity's list sits in the main navigation.
    :param workflow: a ``crmkit.Workflow`` when one field holds a state that records move through
        (allowed moves, fields required on entering a state, every move stored); see workflow.py.
    """

    name: str
    model: type
    schema: type[Schema]
    label: Any
    label_plural: Any
    list_columns: tuple[str, ...] = ()
    filters: tuple[str, ...] = ()
    sort_keys: tuple[str, ...] = ()
    search_fields: tuple[str, ...] = ()
    title_field: str = "name"
    dedup_keys: tuple[str, ...] = ()
    default_sort: str = "-id"
    nav_order: int = 100
    workflow: Any = None
    plugin: str = ""  # filled in by the registry

    @property
    def key(self) -> str:
        """Built-in entities are called by their name; others carry their plugin's: ``real_estate.property``."""
        if not self.plugin or self.plugin.startswith("core."):
            return self.name
        return f"{self.plugin}.{self.name}"

    @property
    def path(self) -> str:
        """The URL segment: ``contact`` or ``real_estate/property``."""
        return self.key.replace(".", "/")

    @property
    def endpoint_prefix(self) -> str:
        return self.key.replace(".", "__")

    def permission(self, action: str) -> str:
        return f"{self.key}.{action}"

    def owned_by(self, plugin: str) -> EntityType:
        return replace(self, plugin=plugin)

    def display(self, field_name: str, value: Any) -> Any:
        """A value as pages show it: a choice's label (``"call"`` -> "Call"), or through the field's
        ``metadata["display"]`` function (phones pretty-printed, a deal's stage by its name; given
        any value but None), else the value itself."""
        field = self.schema._declared_fields.get(field_name)
        if field is None or value is None:
            return value
        if shown := field.metadata.get("display"):
            return shown(value)
        if not isinstance(value, str):
            return value
        return field.metadata.get("choices_labels", {}).get(value, value)

    choice_label = display

    def field_label(self, field_name: str) -> Any:
        """A field's label; the owner every record has, and a column the schema computes
        (``computed_columns``: name -> object with ``label`` and ``values(records)``), too."""
        field = self.schema._declared_fields.get(field_name)
        label = field.metadata.get("label") if field is not None else None
        if label is None and field_name == "owner_id":
            from crmkit.i18n import lazy_gettext

            label = lazy_gettext("Owner")
        if label is None and (computed := getattr(self.schema, "computed_columns", {}).get(field_name)) is not None:
            label = computed.label
        return label or field_name.replace("_", " ").capitalize()
