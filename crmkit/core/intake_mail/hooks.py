"""The mailbox channel as a built-in plugin: its tables, the polling jobs, the admin page, the
`crmkit intake-mail` command and the "email" intake source."""

from __future__ import annotations

from crmkit import Job, NavItem, PeriodicJob, Permission, hookimpl
from crmkit.core.access.policy import user_can
from crmkit.core.intake_mail import commands, polling, views
from crmkit.core.intake_mail.models import Mailbox, MailMessage
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab
from crmkit.types import IntakeSource

EMAIL = IntakeSource(
    "email", _l("Email"), _l("Messages to a mailbox crmkit checks over IMAP; answers to a lead go to its timeline."),
    settings_endpoint="intake_mail.index",
)


@hookimpl
def register_models():
    return [Mailbox, MailMessage]


@hookimpl
def intake_sources():
    return [EMAIL]


@hookimpl
def register_permissions():
    return [Permission(views.PERMISSION, _l("Set up the mailboxes leads arrive in"), _l("Administration"))]


@hookimpl
def register_jobs():
    return [
        PeriodicJob(polling.poll_due, schedule=crontab(minute="*"), name="poll_due"),
        Job(polling.poll_now, name="poll_now"),
    ]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.intake_mail]


@hookimpl
def nav_items(user):
    if user_can(user, views.PERMISSION):
        return [NavItem(_l("Lead mailboxes"), endpoint="intake_mail.index", order=935)]
    return []
