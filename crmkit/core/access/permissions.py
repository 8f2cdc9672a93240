"""Every permission the app knows: the core's, each plugin's, and six per entity type."""

from __future__ import annotations

from crmkit.entities.declaration import ACTIONS
from crmkit.entities.registry import EntityRegistry
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import Permission

ACTION_LABELS = {
    "view": _l("View %(entity)s"),
    "create": _l("Create %(entity)s"),
    "edit": _l("Edit %(entity)s"),
    "archive": _l("Archive and restore %(entity)s"),
    "import": _l("Import %(entity)s"),
    "export": _l("Export %(entity)s"),
}


class EntityPermissionLabel:
    """A label that is translated when shown, not when the app starts."""

    def __init__(self, action: str, entity_label):
        self.action, self.entity_label = action, entity_label

    def __str__(self) -> str:
        return str(ACTION_LABELS[self.action]) % {"entity": self.entity_label}


def collect(pm, entities: EntityRegistry) -> dict[str, Permission]:
    found: dict[str, Permission] = {}
    for entity in entities:
        for action in ACTIONS:
            name = entity.permission(action)
            found[name] = Permission(name, EntityPermissionLabel(action, entity.label_plural))
    for impl in pm.hook.register_permissions.get_hookimpls():
        for permission in impl.function() or []:
            if permission.name in found:
                raise ValueError(f"plugin {impl.plugin_name!r} declares permission {permission.name!r} twice")
            found[permission.name] = permission
    return found
