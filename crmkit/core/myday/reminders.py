"""Reminders: a task or meeting whose ``reminder_at`` has come and whose ``reminded_at`` is empty.

My day shows them until dismissed; the ``core.myday.send_reminders`` job (every minute) and
``crmkit reminders send`` mail each to its owner, in the owner's language and time zone. A
reminder is claimed (``reminded_at`` set, only where it is still empty) and committed before
the mail goes out, so two runs never send it twice; a failed send clears the claim for the next
run. While mail is off (no CRMKIT_SMTP_HOST) the job leaves reminders to the page.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date, format_time
from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from crmkit import db as database
from crmkit import mail
from crmkit.core.activities.models import Activity
from crmkit.core.activities.schemas import KIND_LABELS
from crmkit.core.auth.models import User
from crmkit.core.myday import queries
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

log = logging.getLogger("crmkit.myday.reminders")
BATCH = 200  # reminders one run sends at most; the next minute's run takes the rest
BODY_EXCERPT = 1000
TABLE = Activity.__table__  # plain UPDATEs: a reminder is bookkeeping, not an edit of the record


@dataclass
class Outcome:
    sent: int = 0
    failed: int = 0


def dismiss(user: Any, activity_id: int, now: datetime | None = None) -> bool:
    """Mark the user's own reminder as seen; False when it isn't theirs or was already handled."""
    statement = (
        update(TABLE)
        .where(TABLE.c.id == activity_id, TABLE.c.owner_id == user.id, TABLE.c.reminded_at.is_(None))
        .values(reminded_at=now or utcnow())
    )
    session = database.session()
    done = session.execute(statement).rowcount == 1
    session.commit()
    return done


def due_for_mail(now: datetime) -> list[tuple[Activity, User]]:
    statement = (
        select(Activity, User)
        .join(User, User.id == Activity.owner_id)
        .where(queries.reminder_filter(now), Activity.kind.in_(("task", "meeting")), User.is_active.is_(True))
        .order_by(Activity.reminder_at, Activity.id)
        .limit(BATCH)
    )
    return [(row[0], row[1]) for row in database.session().execute(statement)]


def send_due(now: datetime | None = None) -> Outcome:
    """One pass: mail every due reminder to its owner; the caller checks that mail is on."""
    now = now or utcnow()
    session = database.session()
    outcome = Outcome()
    for activity, owner in due_for_mail(now):
        if not claim(activity.id, now):
            continue  # another run took it meanwhile
        try:
            subject, text, html = compose(activity, owner)
            mail.send(owner.email, subject, text, html)
        except Exception:
            log.exception("reminder of activity %s to %s failed; the next run tries again", activity.id, owner.email)
            session.execute(
                update(TABLE).where(TABLE.c.id == activity.id, TABLE.c.reminded_at == now).values(reminded_at=None)
            )
            session.commit()
            outcome.failed += 1
        else:
            outcome.sent += 1
    return outcome


def claim(activity_id: int, now: datetime) -> bool:
    session = database.session()
    statement = update(TABLE).where(TABLE.c.id == activity_id, TABLE.c.reminded_at.is_(None)).values(reminded_at=now)
    claimed = session.execute(statement).rowcount == 1
    session.commit()
    return claimed


def send_reminders() -> None:
    """The periodic job: a pass when mail is on, nothing while it is off."""
    if not mail.enabled():
        log.debug("mail is off (CRMKIT_SMTP_HOST is not set); reminders stay on My day")
        return
    outcome = send_due()
    if outcome.sent or outcome.failed:
        log.info("reminders: %d sent, %d failed", outcome.sent, outcome.failed)


def language_of(user: User) -> str:
    languages = current_app.config["LANGUAGES"]
    return user.locale if user.locale in languages else current_app.config["DEFAULT_LOCALE"]


def moment(value: datetime | None, user: User, locale: str) -> str:
    """A time as the owner reads it: in their zone and language ("15 мая 2025 г., 10:00")."""
    if value is None:
        return ""
    local = value.astimezone(queries.zone_of(user))
    return f"{format_date(local.date(), 'long', locale=locale)}, {format_time(local.time(), 'short', locale=locale)}"


def compose(activity: Activity, owner: User) -> tuple[str, str, str]:
    """Subject, plain text and HTML of the reminder, in the owner's language and time zone."""
    locale = language_of(owner)
    about = about_of(activity, owner)
    with force_locale(locale):
        kind = str(KIND_LABELS.get(activity.kind, activity.kind))
        when_label = _("Due") if activity.kind == "task" else _("Starts")
        subject = _("Reminder: %(subject)s", subject=activity.subject or kind)
        facts = [
            (_("What"), f"{kind}: {activity.subject}", None),
            (when_label, moment(activity.happened_at, owner, locale), None),
        ]
        if activity.place:
            facts.append((_("Place"), activity.place, None))
        if about:
            facts.append((_("About"), *about))
        body = (activity.body or "")[:BODY_EXCERPT]
        link = mail.external_url("records.activity_detail", record_id=activity.id)
        lines = [f"{label}: {value}" for label, value, _href in facts]
        if body:
            lines += ["", body]
        if link:
            lines += ["", _("Open it in crmkit: %(link)s", link=link)]
        text = "\n".join(lines) + "\n"
        template = current_app.jinja_env.get_template("myday/reminder_email.html")
        html = template.render(subject=subject, facts=facts, body=body, link=link, locale=locale)
    return subject, text, html


def about_of(activity: Activity, owner: User) -> tuple[str, str | None] | None:
    """The title of the record the activity is about, as its owner may see it, and a link to it."""
    titles = queries.about_titles(owner, [activity])
    title = titles.get((activity.about_entity, activity.about_id))
    if title is None:
        return None
    entity = current_app.extensions["crmkit"].entities.get(activity.about_entity)
    return title, mail.external_url(f"records.{entity.endpoint_prefix}_detail", record_id=activity.about_id)
