"""Hooks of the notifications built-in plugin: its tables, pages, jobs, the bell's count for the
top bar, and the core's own kind of notification."""

from __future__ import annotations

from flask import g
from flask_login import current_user

from crmkit import Job, PeriodicJob, hookimpl
from crmkit.core.notifications import mailing, service, views
from crmkit.core.notifications.kinds import NotificationKind
from crmkit.core.notifications.models import Notification, NotificationDigest, NotificationPreference
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab


def unread_notifications() -> int:
    """The logged-in user's unread count, once per request (base.html's bell)."""
    if not current_user.is_authenticated:
        return 0
    if "crmkit_unread_notifications" not in g:
        g.crmkit_unread_notifications = service.unread_count(current_user.id)
    return g.crmkit_unread_notifications


@hookimpl
def init_app(app):
    app.config.setdefault("NOTIFICATIONS_DIGEST_HOUR", 18)  # the users' own clock
    app.config.setdefault("NOTIFICATIONS_POLL_SECONDS", 60)  # how often the bell asks for its count
    app.jinja_env.globals["unread_notifications"] = unread_notifications


@hookimpl
def register_models():
    return [Notification, NotificationPreference, NotificationDigest]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_jobs():
    return [
        Job(mailing.send_copy, name="email", retries=3, retry_delay=60),
        PeriodicJob(mailing.send_digests, schedule=crontab(minute="0"), name="digest"),
    ]


@hookimpl
def notification_kinds():
    return [NotificationKind("general", _l("General notifications"), email_default=False)]
