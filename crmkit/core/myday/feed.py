"""The personal iCalendar feed: a secret address calendar apps subscribe to, no login needed.

The token is shown once; only its SHA-256 is kept (``activities_calendar_feed``), so it is looked
up by a unique hash and a database leak does not open anyone's calendar. Resetting replaces the
token, revoking deletes it. The feed holds the owner's meetings and open tasks from 90 days back
to a year ahead, read through ``Records`` as the owner, so their permissions still apply.
Tasks are events at their due time (not VTODO), because Google and Outlook calendars ignore VTODO.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, url_for
from flask_babel import force_locale
from icalendar import Calendar, Event
from sqlalchemy import delete, select
from sqlmodel import Session

from crmkit import mail
from crmkit.core.activities.models import Activity, CalendarFeed
from crmkit.core.activities.schemas import KIND_LABELS
from crmkit.core.auth.models import User
from crmkit.core.auth.tokens import hash_token
from crmkit.core.myday import queries, reminders
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

PAST = timedelta(days=90)
AHEAD = timedelta(days=365)
FEED_LIMIT = 2000  # events per kind
BODY_EXCERPT = 2000


def feed_of(session: Session, user: User) -> CalendarFeed | None:
    return session.execute(select(CalendarFeed).where(CalendarFeed.user_id == user.id)).scalar_one_or_none()


def create_or_reset(session: Session, user: User) -> str:
    """A new secret token for the user's feed; the old address stops working."""
    token = secrets.token_urlsafe(32)
    row = feed_of(session, user) or CalendarFeed(user_id=user.id, token_hash="")
    row.token_hash = hash_token(token)
    row.created_at = utcnow()
    session.add(row)
    session.commit()
    return token


def revoke(session: Session, user: User) -> bool:
    done = session.execute(delete(CalendarFeed).where(CalendarFeed.user_id == user.id)).rowcount > 0
    session.commit()
    return done


def owner_of(session: Session, token: str) -> User | None:
    """The active user whose feed ``token`` opens, or None."""
    if not token or len(token) > 100:
        return None
    row = session.execute(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token))).scalar_one_or_none()
    user = session.get(User, row.user_id) if row is not None else None
    return user if user is not None and user.is_active else None


def feed_url(token: str) -> str:
    """The address to subscribe to: under CRMKIT_BASE_URL when set, else this request's host."""
    return mail.external_url("myday.feed", token=token) or url_for("myday.feed", token=token, _external=True)


def uid_host(request_host: str) -> str:
    """The host part of every UID: stable as long as CRMKIT_BASE_URL (else the host) is."""
    base = current_app.config.get("BASE_URL")
    host = urlsplit(str(base)).hostname if base else None
    return host or request_host.split(":")[0]


def entries(user: Any, now: datetime) -> list[Activity]:
    records = queries.activity_records(user)
    if not records.can("view"):
        return []
    window = (Activity.happened_at >= now - PAST, Activity.happened_at < now + AHEAD)
    meetings = (
        queries.own(records, "meeting")
        .where(*window)
        .where((Activity.status.is_(None)) | (Activity.status != "cancelled"))
        .order_by(Activity.happened_at, Activity.id)
    )
    tasks = queries.own(records, "task").where(*window, Activity.status == "open").order_by(Activity.happened_at, Activity.id)
    found = queries.rows(records, meetings, FEED_LIMIT)[0] + queries.rows(records, tasks, FEED_LIMIT)[0]
    return sorted(found, key=lambda a: (a.happened_at, a.id))


def build(user: User, host: str, now: datetime | None = None) -> bytes:
    """The feed as iCalendar bytes, with texts in the owner's language."""
    now = now or utcnow()
    found = entries(user, now)
    titles = queries.about_titles(user, found)
    with force_locale(reminders.language_of(user)):
        calendar = Calendar()
        calendar.add("prodid", "-//crmkit//My day//EN")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("crmkit: %(name)s", name=user.name or user.email))
        calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT15M")
        for activity in found:
            calendar.add_component(event(activity, titles, host, now))
    return calendar.to_ical()


def event(activity: Activity, titles: dict, host: str, now: datetime) -> Event:
    item = Event()
    item.add("uid", f"activity-{activity.id}@{uid_host(host)}")
    item.add("dtstamp", now)
    item.add("dtstart", activity.happened_at)
    item.add("last-modified", activity.updated_at)
    if activity.kind == "meeting":
        item.add("summary", activity.subject)
        item.add("status", "CONFIRMED")
        if activity.ends_at and activity.ends_at > activity.happened_at:
            item.add("dtend", activity.ends_at)
        if activity.place:
            item.add("location", activity.place)
    else:
        item.add("summary", f"{KIND_LABELS['task']}: {activity.subject}")
        item.add("categories", [str(KIND_LABELS["task"])])
    item.add("class", "PRIVATE")
    about = titles.get((activity.about_entity, activity.about_id))
    description = [_("About: %(title)s", title=about)] if about else []
    if activity.body:
        description.append(activity.body[:BODY_EXCERPT])
    link = mail.external_url("records.activity_detail", record_id=activity.id) or url_for(
        "records.activity_detail", record_id=activity.id, _external=True
    )
    description.append(link)
    item.add("description", "\n\n".join(description))
    item.add("url", link)
    return item
