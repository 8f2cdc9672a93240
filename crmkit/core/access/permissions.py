"""Every permission the app knows: the core's, each plugin's, and six per entity type."""

from __future__ import annotations

from crmkit.entities.declaration import ACTIONS
from crmkit.entities.registry import EntityRegistry
from crmkit.i18n import gettext
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import Permission

# What each entity action allows, after the entity's name: "Deals: view".
ACTION_LABELS = {
    "view": _l("view"),
    "create": _l("create"),
    "edit": _l("edit"),
    "archive": _l("archive and restore"),
    "import": _l("import"),
    "export": _l("export"),
}


class EntityPermissionLabel:
    """A label that is translated when shown, not when the app starts: "Deals: view"."""

    def __init__(self, action: str, entity_label):
        self.action, self.entity_label = action, entity_label

    def __str__(self) -> str:
        return gettext("%(entity)s: %(action)s", entity=self.entity_label, action=ACTION_LABELS[self.action])


def collect(pm, entities: EntityRegistry) -> dict[str, Permission]:
    found: dict[str, Permission] = {}
    for entity in entities:
        for action in ACTIONS:
            name = entity.permission(action)
            found[name] = Permission(name, EntityPermissionLabel(action, entity.label_plural), group=entity.label_plural)
    for impl in pm.hook.register_permissions.get_hookimpls():
        for permission in impl.function() or []:
            if permission.name in found:
                raise ValueError(f"plugin {impl.plugin_name!r} declares permission {permission.name!r} twice")
            found[permission.name] = permission
    return found
