"""Hooks of the mail templates built-in plugin: its table, the admin pages, the permission that
guards them, and the job that sends a template after the commit."""

from __future__ import annotations

from crmkit import Job, NavItem, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.mail_templates import rendering, views
from crmkit.core.mail_templates.models import MailTemplate
from crmkit.i18n import lazy_gettext as _l


@hookimpl
def register_models():
    return [MailTemplate]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(views.PERMISSION, _l("Write and preview email templates"), _l("Email templates"))]


@hookimpl
def nav_items(user):
    return [NavItem(_l("Email templates"), endpoint="mail_templates.index", order=935)] if user_can(user, views.PERMISSION) else []


@hookimpl
def register_jobs():
    return [Job(rendering.deliver, name="send", retries=3, retry_delay=60)]
