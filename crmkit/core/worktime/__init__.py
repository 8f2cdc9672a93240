"""The instance's work calendar: working hours per weekday, public holidays and the admin's own
days, for deadlines counted in working time (a lead's response, a task "due in 3 working days").

Every function takes aware datetimes and answers in UTC; ``zone`` reads the same calendar on
another clock (an office in another time zone), by default the calendar's own. They need an app
context (the calendar is stored per instance); ``crmkit.core.worktime.calendar.Calendar`` is the
same arithmetic without one.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from crmkit.core.worktime.calendar import Calendar, NoWorkingTime
from crmkit.core.worktime.store import current

__all__ = [
    "Calendar",
    "NoWorkingTime",
    "add_working_days",
    "add_working_minutes",
    "calendar",
    "is_working_time",
    "working_seconds_between",
]


def calendar(zone: str | ZoneInfo | None = None) -> Calendar:
    """The instance's calendar (built once per change), on ``zone``'s clock when given."""
    return current(zone)


def add_working_minutes(start: datetime, minutes: float, zone: str | ZoneInfo | None = None) -> datetime:
    """The moment ``minutes`` of working time after ``start`` (30 from Friday 17:45 is Monday 09:15)."""
    return current(zone).add_working_minutes(start, minutes)


def add_working_days(start: datetime, days: int, zone: str | ZoneInfo | None = None) -> datetime:
    """The same clock time ``days`` working days later, earlier when negative (Friday + 1 is Monday)."""
    return current(zone).add_working_days(start, days)


def working_seconds_between(a: datetime, b: datetime, zone: str | ZoneInfo | None = None) -> int:
    """Whole seconds of working time from ``a`` to ``b``; negative when ``b`` comes first."""
    return current(zone).working_seconds_between(a, b)


def is_working_time(moment: datetime, zone: str | ZoneInfo | None = None) -> bool:
    """Whether ``moment`` falls within working hours on a working day."""
    return current(zone).is_working_time(moment)
