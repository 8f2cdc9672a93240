"""Administration: the plugins page."""

from __future__ import annotations

from crmkit import NavItem, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.admin import views
from crmkit.i18n import lazy_gettext as _l
from crmkit.plugin_state import PluginState


@hookimpl
def register_models():
    return [PluginState]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    if user_can(user, "core.manage_plugins"):
        return [NavItem(_l("Plugins"), endpoint="admin.plugins", order=900)]
    return []
