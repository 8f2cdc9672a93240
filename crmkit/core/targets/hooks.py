"""Sales targets as a built-in plugin: the admin grid, and the plan-and-fact report."""

from __future__ import annotations

from crmkit import NavItem, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.targets import admin, api, openapi, report
from crmkit.core.targets.models import SalesTarget
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [SalesTarget]


@hookimpl
def register_blueprints():
    return [admin.bp, api.bp]


@hookimpl
def init_app(app):
    app.extensions["csrf"].exempt(api.bp)  # the REST API checks CSRF itself, only for session requests


@hookimpl
def api_paths(entity, user):
    """The targets' operations, documented beside the deals they are measured against."""
    return openapi.paths() if entity.key == "deal" and api.may_read(user) else {}


@hookimpl
def register_permissions():
    return [Permission(admin.PERMISSION, _l("Set monthly sales targets"))]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Sales targets"), endpoint="targets_admin.index", order=906)] if user_can(user, admin.PERMISSION) else []


@hookimpl
def register_reports():
    return report.register()
