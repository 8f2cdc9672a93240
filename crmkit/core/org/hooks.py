"""People administration: users, roles, offices and departments, the manager hierarchy, and
"why can this user see this record?" (page and `crmkit perms explain`)."""

from __future__ import annotations

from crmkit import NavItem, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.org import commands, views
from crmkit.core.org.service import role_label
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def init_app(app):
    """``role|role_label``: a role's name in the viewer's language, for every page that shows one."""
    app.add_template_filter(role_label, "role_label")


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.perms]


@hookimpl
def nav_items(user):
    if user_can(user, "core.manage_users"):
        return [NavItem(_l("Users"), endpoint="org.users", order=910)]
    return []
