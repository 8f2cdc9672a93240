"""Outgoing webhooks: an outbox row per entity event, the jobs that send it, the admin page and CLI."""

from __future__ import annotations

from crmkit import Job, NavItem, PeriodicJob, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.webhooks import commands, service, views
from crmkit.core.webhooks.models import Webhook, WebhookDelivery
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab


@hookimpl
def init_app(app):
    for key, value in service.CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)


@hookimpl
def register_models():
    return [Webhook, WebhookDelivery]


@hookimpl
def register_jobs():
    return [
        Job(service.deliver, name="deliver"),
        PeriodicJob(service.retry_due, schedule=crontab(minute="*"), name="retry_due"),
    ]


@hookimpl
def entity_event(event, entity, record, changes):
    if event in service.ENTITY_EVENTS:
        service.record_event(service.ENTITY_EVENTS[event], entity, record, changes)


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.webhooks]


@hookimpl
def nav_items(user):
    if user_can(user, "core.manage_webhooks"):
        return [NavItem(_l("Webhooks"), endpoint="webhooks.index", order=910)]
    return []
