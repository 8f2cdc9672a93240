"""Lead routing as a built-in plugin: assignment rules and manual assignment, response deadlines,
overdue leads (a page, a dashboard widget, a link on the lead list), My day's "Leads assigned to
you" and the mail to the agent; the ``lead_assignment_conditions`` hook's built-in conditions."""

from __future__ import annotations

from crmkit import NavItem, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.lead_routing import admin, conditions, events, pages, telling
from crmkit.core.lead_routing.models import Assignment, Pointer, Response, RoutingSettings, Rule
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import Job
from crmkit.types import AuditAction

GROUP = _l("Lead assignment")


@hookimpl
def register_models():
    return [Rule, Pointer, RoutingSettings, Assignment, Response]


@hookimpl
def register_blueprints():
    return [admin.bp, pages.bp]


@hookimpl
def register_permissions():
    return [Permission(events.ASSIGN, _l("Assign leads to others, by hand or in bulk"), GROUP),
            Permission(admin.PERMISSION, _l("Set up assignment rules and response deadlines"), GROUP)]


@hookimpl
def register_audit_actions():
    return [AuditAction("lead_routing.changed", _l("Lead assignment rules changed"))]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Lead assignment"), endpoint="lead_routing_admin.index", order=908)] if user_can(user, admin.PERMISSION) else []


@hookimpl
def lead_assignment_conditions():
    """Source, channel, words in the request, and each field plugins and admins add to the lead."""
    return conditions.builtin()


@hookimpl
def entity_event(event, entity, record, changes, user):
    if entity.key == events.LEAD:
        events.on_lead(event, record, changes, user)
    elif entity.key == events.ACTIVITY:
        events.on_activity(event, record, user)


@hookimpl
def workflow_transition_check(entity, record, target, values):
    """A lead enters "assigned" only with someone to work on it."""
    if entity.key == events.LEAD and target.key == "assigned":
        owner = values.get("owner_id", getattr(record, "owner_id", None))
        if owner is None:
            return _("Choose who the lead is assigned to.")
    return None


@hookimpl
def myday_panels(user):
    """The user's leads assigned and waiting for their first move."""
    return telling.myday_panels(user)


@hookimpl
def dashboard_widgets(user):
    """The count of overdue leads the user sees, and the most overdue."""
    return pages.widgets(user)


@hookimpl
def entity_panels(entity, record, user):
    """A lead's response deadline, first response and who it was given to."""
    return pages.lead_panels(record, user) if entity.key == events.LEAD else []


@hookimpl
def entity_list_actions(entity, user, args):
    """A link from the lead list to the overdue leads, with their count."""
    return pages.list_actions(user) if entity.key == events.LEAD else []


@hookimpl
def register_jobs():
    return [Job(telling.tell_agent, name="tell_agent", retries=3, retry_delay=300)]
