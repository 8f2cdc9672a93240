"""Automation as a built-in plugin: rules of trigger, conditions and actions on every entity,
the run log, the periodic check of time triggers, the admin pages and `crmkit rules`."""

from __future__ import annotations

from crmkit import Job, NavItem, PeriodicJob, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.automation import commands, engine, outgoing, outside, views
from crmkit.core.automation.models import Rule, RuleRun
from crmkit.core.notifications import NotificationKind
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab

PERMISSION = "core.manage_automation"
CONFIG_DEFAULTS = {
    "AUTOMATION_MAX_DEPTH": 5,  # rules firing rules stop this deep
    "AUTOMATION_CACHE_SECONDS": 5,  # how long a process trusts its list of enabled rules
    "AUTOMATION_WEBHOOK_SECRET": None,  # signs the webhooks rules call; none: they are not sent
}


@hookimpl
def init_app(app):
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)


@hookimpl
def register_models():
    return [Rule, RuleRun]


@hookimpl
def register_permissions():
    return [Permission(PERMISSION, _l("Manage automation rules"), _l("Administration"))]


@hookimpl
def notification_kinds():
    return [NotificationKind(outside.NOTIFICATION_KIND, _l("Automation rules"))]


@hookimpl
def entity_event(event, entity, record, changes):
    engine.on_event(event, entity, record, changes)


@hookimpl
def register_jobs():
    return [
        PeriodicJob(engine.check_time_triggers, schedule=crontab(minute="*/5"), name="check_time_triggers"),
        Job(outgoing.call_webhook, name="call_webhook"),
    ]


@hookimpl
def timeline_entries(entity, record, user, before, limit):
    return outgoing.timeline(entity, record, user, before, limit)


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.rules]


@hookimpl
def nav_items(user):
    if user_can(user, PERMISSION):
        return [NavItem(_l("Automation"), endpoint="automation.index", order=912)]
    return []
