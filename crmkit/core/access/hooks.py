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
    administration = _l("Administration")
    return [
        Permission("core.manage_plugins", _l("Enable and disable plugins"), administration),
        Permission("core.manage_users", _l("Manage users, roles and the org structure"), administration),
        Permission("core.audit_log", _l("Read the audit log"), administration),
        Permission("core.customize", _l("Add custom fields to entities"), administration),
        Permission("core.manage_webhooks", _l("Manage outgoing webhooks"), administration),
    ]
