"""What My day shows one user: their tasks, meetings, calls to return and reminders.

Every query starts from ``Records(activity, user).select()`` (permission and visibility), keeps
to the user's own activities (``owner_id``) and reads a range of the
``ix_activity_owner_kind_at`` index (owner, kind, time) or of ``ix_activity_reminder_at``,
with a limit. "Today" is the user's calendar day in their time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import aliased

from crmkit.core.activities.models import Activity
from crmkit.db import utcnow
from crmkit.entities.errors import RecordError
from crmkit.entities.service import Records

LIMIT = 50  # items per section; a section that has more says so
UPCOMING = timedelta(days=7)
MISSED_CALLS_WINDOW = timedelta(days=14)
MISSED_OUTCOMES = ("missed", "no_answer", "busy")
# Reminders older than this are stale: not mailed, not shown (the overdue task still is).
REMINDER_WINDOW = timedelta(days=7)
BADGE_CAP = 99


def zone_of(user: Any) -> ZoneInfo:
    """The user's own time zone, else the deployment's default."""
    for name in (getattr(user, "timezone", None), current_app.config["DEFAULT_TIMEZONE"]):
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("UTC")


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of ``day`` in ``zone``, in UTC."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def today_of(user: Any, now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(zone_of(user)).date()


def activity_records(user: Any) -> Records:
    return Records(current_app.extensions["crmkit"].entities.get("activity"), user)


def own(records: Records, kind: str | tuple[str, ...]):
    """The user's own, unarchived activities of ``kind``, as the index is laid out."""
    kinds = (kind,) if isinstance(kind, str) else kind
    statement = records.select().where(Activity.owner_id == records.user.id)
    return statement.where(Activity.kind.in_(kinds) if len(kinds) > 1 else Activity.kind == kinds[0])


def rows(records: Records, statement, limit: int = LIMIT) -> tuple[list[Activity], bool]:
    """At most ``limit`` rows and whether there were more."""
    found = list(records.db.execute(statement.limit(limit + 1)).scalars())
    return found[:limit], len(found) > limit


def open_tasks(records: Records, start: datetime | None, end: datetime):
    statement = own(records, "task").where(Activity.status == "open", Activity.happened_at < end)
    if start is not None:
        statement = statement.where(Activity.happened_at >= start)
    return statement


def overdue_tasks(records: Records, now: datetime) -> tuple[list[Activity], bool]:
    """Open tasks due before today, the most recently due first."""
    start = day_start(today_of(records.user, now), zone_of(records.user))
    statement = open_tasks(records, None, start).order_by(Activity.happened_at.desc(), Activity.id.desc())
    return rows(records, statement)


def todays_tasks(records: Records, now: datetime) -> tuple[list[Activity], bool]:
    today, zone = today_of(records.user, now), zone_of(records.user)
    start, end = day_start(today, zone), day_start(today + timedelta(days=1), zone)
    statement = open_tasks(records, start, end).order_by(Activity.happened_at, Activity.id)
    return rows(records, statement)


def due_task_count(user: Any, now: datetime | None = None) -> int:
    """Overdue and today's open tasks, counted up to BADGE_CAP + 1 (the badge shows "99+")."""
    records = activity_records(user)
    today = today_of(user, now)
    end = day_start(today + timedelta(days=1), zone_of(user))
    capped = open_tasks(records, None, end).with_only_columns(Activity.id).limit(BADGE_CAP + 1).subquery()
    return records.db.execute(select(func.count()).select_from(capped)).scalar_one()


def upcoming_meetings(records: Records, now: datetime) -> tuple[list[Activity], bool]:
    """Meetings from the start of today to a week ahead that haven't ended or been cancelled."""
    start = day_start(today_of(records.user, now), zone_of(records.user))
    statement = (
        own(records, "meeting")
        .where(Activity.happened_at >= start, Activity.happened_at < now + UPCOMING)
        .where(or_(Activity.status.is_(None), Activity.status != "cancelled"))
        .where(func.coalesce(Activity.ends_at, Activity.happened_at) >= now)
        .order_by(Activity.happened_at, Activity.id)
    )
    return rows(records, statement)


def missed_calls(records: Records, now: datetime) -> tuple[list[Activity], bool]:
    """Inbound calls of the last two weeks nobody took, with no later call back or answered call.

    A later call counts whoever made it, when it is about the same record or with the same
    number: once a colleague has called back, the call is no longer waiting.
    """
    later = aliased(Activity)
    handled = and_(
        later.kind == "call",
        later.happened_at > Activity.happened_at,
        later.archived_at.is_(None),
        or_(later.direction == "outbound", later.outcome == "answered"),
    )
    about_same = exists().where(
        handled, later.about_entity == Activity.about_entity, later.about_id == Activity.about_id
    )
    same_number = exists().where(handled, later.their_address == Activity.their_address)
    statement = (
        own(records, "call")
        .where(Activity.happened_at >= now - MISSED_CALLS_WINDOW, Activity.happened_at <= now)
        .where(Activity.direction == "inbound", Activity.outcome.in_(MISSED_OUTCOMES))
        .where(~about_same, ~same_number)
        .order_by(Activity.happened_at.desc(), Activity.id.desc())
    )
    return rows(records, statement)


def reminder_filter(now: datetime):
    """Due, not yet sent or dismissed, recent enough, on a task or meeting still to do."""
    return and_(
        Activity.reminder_at <= now,
        Activity.reminder_at > now - REMINDER_WINDOW,
        Activity.reminded_at.is_(None),
        Activity.archived_at.is_(None),
        or_(Activity.status.is_(None), Activity.status == "open"),
    )


def due_reminders(records: Records, now: datetime) -> tuple[list[Activity], bool]:
    statement = own(records, ("task", "meeting")).where(reminder_filter(now))
    return rows(records, statement.order_by(Activity.reminder_at, Activity.id))


@dataclass
class Section:
    name: str
    items: list[Activity]
    more: bool


def my_day(user: Any, now: datetime | None = None) -> list[Section]:
    """Every section of the page, for ``user``; empty when they may not see activities."""
    now = now or utcnow()
    records = activity_records(user)
    if not records.can("view"):
        return []
    found = {
        "reminders": due_reminders(records, now),
        "overdue": overdue_tasks(records, now),
        "today": todays_tasks(records, now),
        "meetings": upcoming_meetings(records, now),
        "calls": missed_calls(records, now),
    }
    return [Section(name, items, more) for name, (items, more) in found.items()]


def about_titles(user: Any, activities: list[Activity]) -> dict[tuple[str, int], str]:
    """Titles of the records the activities are about, that ``user`` sees; a query per entity."""
    wanted: dict[str, set[int]] = {}
    for activity in activities:
        if activity.about_entity and activity.about_id:
            wanted.setdefault(activity.about_entity, set()).add(activity.about_id)
    entities = current_app.extensions["crmkit"].entities
    titles: dict[tuple[str, int], str] = {}
    for key, ids in wanted.items():
        if key not in entities:
            continue
        entity = entities.get(key)
        records = Records(entity, user)
        if not records.can("view"):
            continue
        title = getattr(entity.model, entity.title_field)
        statement = records.select(include_archived=True).with_only_columns(entity.model.id, title)
        try:
            for record_id, value in records.db.execute(statement.where(entity.model.id.in_(ids))):
                titles[(key, record_id)] = str(value)
        except RecordError:
            continue
    return titles
