"""The audit log: its table, the admin page, and entries for logins, users, roles and plugins."""

from __future__ import annotations

from crmkit import NavItem, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.audit import actions, views
from crmkit.core.audit.models import AuditEntry
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def init_app(app):
    """The audit actions every plugin declared, by name, for the log page."""
    app.extensions[actions.ACTIONS_KEY] = actions.collect(app.extensions["crmkit"].pm)


@hookimpl
def register_models():
    return [AuditEntry]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    if user_can(user, "core.audit_log"):
        return [NavItem(_l("Audit log"), endpoint="audit.index", order=930)]
    return []
