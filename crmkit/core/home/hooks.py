"""The home page with plugins' widgets, the health check and the language switch."""

from __future__ import annotations

from crmkit import NavItem, hookimpl
from crmkit.core.home import dashboard, views
from crmkit.core.home.models import Dashboard
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [Dashboard]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Home"), endpoint="home.index", order=0)] if user.is_authenticated else []


@hookimpl
def dashboard_widgets(user):
    """My day, the team's overdue tasks, the core reports and the user's saved reports (dashboard.py)."""
    return dashboard.own_widgets(user) if user.is_authenticated else []
