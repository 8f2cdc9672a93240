"""Lead triage as a built-in plugin: the unsorted queue and its actions, conversion, quality
control and the leads reports (docs/leads.md, sections Triage to Reports)."""

from __future__ import annotations

from crmkit import NavItem, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.lead_triage import control, control_views, convert_views, panels, reports, timeline, views
from crmkit.core.lead_triage.models import Conversion, DealOrigin, Review, Settings
from crmkit.core.notifications.kinds import NotificationKind
from crmkit.core.lead_triage.triage import PERMISSION as TRIAGE
from crmkit.core.pipelines import names
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import PeriodicJob, crontab

GROUP = _l("Leads")


@hookimpl
def register_models():
    return [DealOrigin, Conversion, Review, Settings]


@hookimpl
def register_blueprints():
    return [views.bp, convert_views.bp, control_views.bp]


@hookimpl
def register_permissions():
    return [
        Permission(TRIAGE, _l("Sort new leads: accept, reject, mark duplicates, link to deals"), group=GROUP),
        Permission(control.PERMISSION, _l("Review leads in quality control: return them to work or confirm their rejection"), group=GROUP),
        Permission(control.SETUP_PERMISSION, _l("Set up quality control: stale days and the rejections it skips"), group=GROUP),
    ]


@hookimpl
def nav_items(user):
    items = []
    if user_can(user, TRIAGE) and user_can(user, "lead.edit"):
        items.append(NavItem(_l("Unsorted leads"), endpoint="lead_triage.queue", order=23))
    if user_can(user, control.PERMISSION) and user_can(user, "lead.edit"):
        items.append(NavItem(_l("Quality control"), endpoint="lead_triage_control.queue", order=815))
    return items


@hookimpl
def entity_actions(entity, record, user):
    """Accept, link, convert or review a lead from its page."""
    return panels.lead_actions(entity, record, user) if entity.key == "lead" else []


@hookimpl
def entity_panels(entity, record, user):
    """A lead's possible duplicates; the lead a deal came from."""
    if entity.key == "lead":
        return panels.lead_panels(record, user)
    if entity.key == "deal":
        return panels.deal_panels(record, user)
    return []


@hookimpl
def entity_event(event, entity, record, changes):
    """A deal moved into a lost stage sends the leads converted into it to quality control, in the
    same transaction as the loss."""
    if entity.key == "deal" and event == "after_transition":
        new = (changes.get("stage_id") or [None, None])[1]
        stage = names.stages().get(int(new)) if new not in (None, "") and str(new).isdigit() else None
        if stage is not None and stage.kind == "lost" and changes["stage_id"][0] is not None:
            control.deal_lost(record)


@hookimpl
def workflow_transition_check(entity, record, source, target):
    """A converted lead goes back to quality control only once its deal is lost."""
    if entity.key == "lead" and source is not None and source.key == "converted" and target.key == "reprocessing":
        return None if control.deal_is_lost(record.deal_id) else _("A converted lead is re-processed only once its deal is lost.")
    return None


@hookimpl
def timeline_entries(entity, record, user, before, limit):
    """A lead's conversion and quality-control rounds; on a deal, the leads it came from."""
    return timeline.entries(entity, record, user, before, limit)


@hookimpl
def myday_panels(user):
    """The agent's leads quality control returned to them."""
    return panels.myday_panels(user)


@hookimpl
def register_jobs():
    return [PeriodicJob(control.sweep, schedule=crontab(minute="*/15"), name="sweep")]


@hookimpl
def notification_kinds():
    return [NotificationKind(control.RETURNED, _l("Leads returned to me by quality control"), email_default=True)]


@hookimpl
def register_reports():
    """Leads by channel and source, rejection reasons, quality-control outcomes."""
    return reports.declared_reports()
