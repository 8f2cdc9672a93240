"""The work calendar as a built-in plugin: its tables, its admin page and its permission."""

from __future__ import annotations

from crmkit import NavItem, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.worktime import admin
from crmkit.core.worktime.models import WorktimeDay, WorktimeSettings
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import AuditAction


@hookimpl
def register_models():
    return [WorktimeSettings, WorktimeDay]


@hookimpl
def register_blueprints():
    return [admin.bp]


@hookimpl
def register_permissions():
    return [Permission(admin.PERMISSION, _l("Set the working hours, holidays and working days"), _l("Work calendar"))]


@hookimpl
def register_audit_actions():
    return [AuditAction("worktime.changed", _l("Work calendar changed"))]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Work calendar"), endpoint="worktime_admin.index", order=907)] if user_can(user, admin.PERMISSION) else []
