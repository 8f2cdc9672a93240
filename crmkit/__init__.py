"""crmkit: a plugin-based CRM framework.

The public API for plugin authors is ``crmkit.api``: declarations, ``hookimpl``, the records
service, entity lookup, URLs of entity pages, the current user and permission checks, jobs and
mail, each documented in docs/plugins.md. This module re-exports the declarations and value types
(``hookimpl``, ``hookspec``, ``EntityType``, ``NavItem``, ``public``...) as the same objects, and
``create_app``. Two more modules are public: ``crmkit.reports`` (declaring reports) and
``crmkit.testing`` (the test kit). Everything else (``crmkit.entities``, ``crmkit.core``,
``crmkit.db``, ...) is internal and may change without notice.
"""

from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Invalid
from crmkit.entities.extensions import EntityExtension
from crmkit.entities.record import Record
from crmkit.entities.workflow import State, Workflow
from crmkit.hookspecs import hookimpl, hookspec
from crmkit.jobs import Job, PeriodicJob
from crmkit.types import Action, DashboardWidget, NavItem, Panel, Permission

__version__ = "0.1.0"
__all__ = [
    "Action",
    "DashboardWidget",
    "EntityExtension",
    "EntityType",
    "Invalid",
    "Job",
    "NavItem",
    "Panel",
    "PeriodicJob",
    "Permission",
    "Record",
    "State",
    "Workflow",
    "create_app",
    "hookimpl",
    "hookspec",
    "public",
]


def public(view):
    """Mark a view as reachable without logging in (login pages, health checks, webhooks)."""
    view.crmkit_public = True
    return view


def __getattr__(name):
    # Lazy, so that importing crmkit for ``hookimpl`` does not build the app machinery,
    # while ``flask --app crmkit`` still finds the factory.
    if name == "create_app":
        from crmkit.app import create_app

        return create_app
    raise AttributeError(name)
