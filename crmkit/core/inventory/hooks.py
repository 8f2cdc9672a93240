"""Inventory as a built-in plugin: records that calls, leads, showings and deals can be "about"
(docs/inventory.md). A plugin declares its entity through ``inventory_entities``; the core gives
the links table, the "About objects" field on the subjects' forms, the suggestions, the panels
and ``crmkit.api.link_items`` and its siblings."""

from __future__ import annotations

from crmkit.core.inventory import panels, picking, service, views
from crmkit.core.inventory.models import InventoryLink
from crmkit.entities.extensions import EntityExtension
from crmkit.hookspecs import hookimpl
from crmkit.i18n import lazy_gettext as _l

SUBJECTS = ("activity", "lead", "deal")  # the core's records whose forms offer the field


@hookimpl
def register_models():
    return [InventoryLink]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def entity_extensions():
    return [EntityExtension(key, picking.AboutSchema, label=_l("About objects"), store=picking.Store(key))
            for key in SUBJECTS]


@hookimpl(trylast=True)
def init_app(app):
    """Collect the declarations once the records' extensions are; with none, no form shows the field."""
    state = app.extensions["crmkit"]
    found = {}
    for declarations in state.pm.hook.inventory_entities():
        for declared in declarations or []:
            if declared.entity not in state.entities:
                raise LookupError(f"inventory_entities names {declared.entity!r}, which no active plugin declares")
            found[declared.entity] = declared
    app.extensions["crmkit.inventory"] = found
    if not found:
        groups = app.extensions.get("crmkit.entity_extensions", {})
        for key in SUBJECTS:
            groups[key] = [part for part in groups.get(key, []) if part.namespace != "inventory"]


@hookimpl
def page_fragments(user):
    return ["inventory/picker.html"] if getattr(user, "is_authenticated", False) and service.declared() else []


@hookimpl
def entity_panels(entity, record, user):
    if entity.key in service.declared():
        found = panels.subjects_panel(entity, record, user)
    else:
        found = panels.items_panel(entity, record, user)
    return [found] if found is not None else []
