"""Roles, offices and departments, and the permissions the core itself checks."""

from __future__ import annotations

from crmkit import Permission, hookimpl
from crmkit.core.access.models import Department, Office, Role
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [Role, Office, Department]


@hookimpl
def register_permissions():
    return [
        Permission("core.manage_plugins", _l("Enable and disable plugins")),
        Permission("core.manage_users", _l("Manage users, roles and the org structure")),
        Permission("core.audit_log", _l("Read the audit log")),
        Permission("core.customize", _l("Add custom fields to entities")),
        Permission("core.manage_webhooks", _l("Manage outgoing webhooks")),
    ]
