"""The calendar page's grid: a month (or one ISO week) of the user's meetings and tasks.

Weeks start on Monday; days are the user's calendar days in their time zone. Entries come from
one indexed range read (owner, kind, happened_at) with a limit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from babel.dates import get_day_names
from flask_babel import format_date, get_locale

from crmkit.core.activities.models import Activity
from crmkit.core.myday import queries

ENTRIES_LIMIT = 1000  # per page; a busier month says that some aren't shown
MONTH = re.compile(r"(\d{4})-(\d{2})")
WEEK = re.compile(r"(\d{4})-W(\d{2})")


class BadPeriod(ValueError):
    """The month or week asked for can't be read."""


@dataclass
class Day:
    day: date
    in_period: bool
    is_today: bool
    entries: list[Activity] = field(default_factory=list)


@dataclass
class Period:
    kind: str  # "month" or "week"
    first: date  # the month's first day, or the week's Monday
    weeks: list[list[Day]]
    previous: str
    next: str
    more: bool = False


def month_of(value: str | None, today: date) -> date:
    if not value:
        return today.replace(day=1)
    found = MONTH.fullmatch(value)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise BadPeriod(value)
    return date(int(found.group(1)), int(found.group(2)), 1)


def week_of(value: str, today: date) -> date:
    found = WEEK.fullmatch(value)
    if not found:
        raise BadPeriod(value)
    try:
        return date.fromisocalendar(int(found.group(1)), int(found.group(2)), 1)
    except ValueError as error:
        raise BadPeriod(value) from error


def week_label(monday: date) -> str:
    year, week, _day = monday.isocalendar()
    return f"{year}-W{week:02d}"


def shift_month(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days)]


def build(user: Any, args: dict[str, str], now: datetime | None = None) -> Period:
    """The period ``args`` ask for (``month=2025-05`` or ``week=2025-W20``), filled with entries."""
    today = queries.today_of(user, now)
    try:
        if args.get("week"):
            first = week_of(args["week"], today)
            start, end = first, first + timedelta(days=7)
            kind, in_period = "week", lambda _d: True
            previous, following = week_label(first - timedelta(days=7)), week_label(end)
        else:
            first = month_of(args.get("month"), today)
            start = first - timedelta(days=first.weekday())
            after = shift_month(first, 1)
            end = after + timedelta(days=(7 - after.weekday()) % 7)
            kind, in_period = "month", lambda d: d.month == first.month
            previous, following = shift_month(first, -1).strftime("%Y-%m"), after.strftime("%Y-%m")
    except (ValueError, OverflowError) as error:  # the first or last year the calendar can show
        raise BadPeriod(str(error)) from error
    days = [Day(d, in_period(d), d == today) for d in days_between(start, end)]
    more = fill(user, days)
    weeks = [days[i : i + 7] for i in range(0, len(days), 7)]
    return Period(kind, first, weeks, previous, following, more)


def fill(user: Any, days: list[Day]) -> bool:
    """Put each meeting and task on its day; True when some were left out by the limit."""
    records = queries.activity_records(user)
    if not records.can("view"):
        return False
    zone = queries.zone_of(user)
    start, end = queries.day_start(days[0].day, zone), queries.day_start(days[-1].day + timedelta(days=1), zone)
    statement = (
        queries.own(records, ("meeting", "task"))
        .where(Activity.happened_at >= start, Activity.happened_at < end)
        .where((Activity.status.is_(None)) | (Activity.status != "cancelled"))
        .order_by(Activity.happened_at, Activity.id)
    )
    found, more = queries.rows(records, statement, ENTRIES_LIMIT)
    by_day = {d.day: d for d in days}
    for activity in found:
        if (day := by_day.get(activity.happened_at.astimezone(zone).date())) is not None:
            day.entries.append(activity)
    return more


def day_names() -> list[str]:
    """Monday to Sunday, abbreviated, in the user's language."""
    names = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    return [names[i] for i in range(7)]


def heading(period: Period) -> str:
    """"Май 2025", or "12 мая – 18 мая 2025 г." for a week, in the user's language."""
    if period.kind == "month":
        text = format_date(period.first, "LLLL y")
    else:
        last = period.first + timedelta(days=6)
        text = f"{format_date(period.first, 'd MMMM')} – {format_date(last, 'long')}"
    return text[:1].upper() + text[1:]
