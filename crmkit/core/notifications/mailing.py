"""Notifications by email: a copy of one notification (the ``core.notifications.email`` job, queued
after the commit that stored it) and the daily digest (``core.notifications.digest``, hourly).

The digest goes to each user who asked for it once their clock passes
``NOTIFICATIONS_DIGEST_HOUR`` (default 18), with the day's notifications still unread. A digest
is claimed by inserting (user, day) under a unique constraint and committing before the mail
goes out, so a rerun, a second worker or a retried job never sends one twice; a failed send
removes the claim so the next hourly run tries again.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from crmkit import db as database
from crmkit import mail
from crmkit.core.auth.models import User
from crmkit.core.notifications import service
from crmkit.core.notifications.models import Notification, NotificationDigest, NotificationPreference
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import ngettext

log = logging.getLogger("crmkit.notifications")
DIGEST_LIMIT = 100  # notifications one digest lists; it says how many more there are


def absolute(notification: Notification) -> str | None:
    """The notification's link for mail (CRMKIT_BASE_URL), or None when the deployment has none."""
    base = mail.setting("BASE_URL")
    link = service.link_of(notification)
    return f"{str(base).rstrip('/')}{link}" if base and link else None


def send_copy(notification_id: int) -> bool:
    """The job: mail one notification to its recipient in their language; False when there is
    nothing to send (gone, or its user deactivated). MailError propagates for the job's retries."""
    session = database.session()
    notification = session.get(Notification, notification_id)
    user = session.get(User, notification.user_id) if notification else None
    if notification is None or user is None or not user.is_active:
        return False
    locale = service.language_of(user)
    link = absolute(notification)
    with force_locale(locale):
        lines = [notification.title, ""]
        if notification.body:
            lines += [notification.body, ""]
        if link:
            lines.append(_("Open it in crmkit: %(link)s", link=link))
        lines += ["", _("You get this by email because of your notification settings.")]
        html = current_app.jinja_env.get_template("notifications/email.html").render(
            items=[(notification, link)], heading=notification.title, locale=locale
        )
    return mail.send(user.email, notification.title, "\n".join(lines) + "\n", html)


def zone_of(user: User) -> ZoneInfo:
    return ZoneInfo(user.timezone or current_app.config.get("DEFAULT_TIMEZONE") or "UTC")


def day_bounds(day, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), zone)
    return start.astimezone(UTC), (start + timedelta(days=1)).astimezone(UTC)


def digest_users() -> list[User]:
    statement = (
        select(User)
        .join(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.digest.is_(True), User.is_active.is_(True))
        .order_by(User.id)
    )
    return list(database.session().execute(statement).scalars())


def unread_of_day(user: User, day) -> tuple[list[Notification], int]:
    start, end = day_bounds(day, zone_of(user))
    condition = (Notification.user_id == user.id, Notification.read_at.is_(None),
                 Notification.created_at >= start, Notification.created_at < end)
    session = database.session()
    items = list(session.execute(select(Notification).where(*condition).order_by(Notification.id).limit(DIGEST_LIMIT)).scalars())
    total = len(items)
    if total == DIGEST_LIMIT:
        total = session.execute(select(func.count()).select_from(Notification).where(*condition)).scalar_one()
    return items, total


def claim(user_id: int, day, count: int) -> NotificationDigest | None:
    session = database.session()
    row = NotificationDigest(user_id=user_id, day=day, count=count)
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return None
    return row


def send_digests(now: datetime | None = None) -> int:
    """One pass over the users who asked for a digest; returns how many were sent."""
    if not mail.enabled():
        log.debug("mail is off (CRMKIT_SMTP_HOST is not set); no digests")
        return 0
    now = now or utcnow()
    hour = int(current_app.config.get("NOTIFICATIONS_DIGEST_HOUR", 18))
    sent = 0
    session = database.session()
    for user in digest_users():
        local = now.astimezone(zone_of(user))
        if local.hour < hour:
            continue
        items, total = unread_of_day(user, local.date())
        if not items or (row := claim(user.id, local.date(), total)) is None:
            continue
        try:
            mail.send(user.email, *compose_digest(user, local.date(), items, total))
        except Exception:
            log.exception("the digest of %s for %s failed; the next run tries again", user.email, local.date())
            session.execute(delete(NotificationDigest).where(NotificationDigest.id == row.id))
            session.commit()
        else:
            sent += 1
    return sent


def compose_digest(user: User, day, items: list[Notification], total: int) -> tuple[str, str, str]:
    """Subject, text and HTML of a user's digest, in their language."""
    locale = service.language_of(user)
    with force_locale(locale):
        when = format_date(day, "long", locale=locale)
        subject = ngettext("%(num)d unread notification of %(day)s", "%(num)d unread notifications of %(day)s",
                           total, day=when)
        linked = [(item, absolute(item)) for item in items]
        lines = [subject, ""]
        for item, link in linked:
            lines.append(f"- {item.title}" + (f" ({link})" if link else ""))
            if item.body:
                lines.append(f"  {item.body}")
        if total > len(items):
            lines += ["", _("And %(count)d more on the notifications page.", count=total - len(items))]
        lines += ["", _("You get this digest because you asked for it in your notification settings.")]
        html = current_app.jinja_env.get_template("notifications/email.html").render(
            items=linked, heading=subject, more=total - len(items), digest=True, locale=locale
        )
    return subject, "\n".join(lines) + "\n", html
