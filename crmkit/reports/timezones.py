"""Moments bucketed by the user's calendar, in SQL, on both engines.

PostgreSQL converts with ``timezone(zone, moment)``. SQLite knows no zones, so the moment is
shifted by the zone's UTC offset, written as a CASE over the offset changes (daylight saving,
Almaty's move to UTC+5 in 2024) inside the period: exact, and a handful of comparisons per row.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, case, cast, func, literal

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)  # without a period, offsets are read from here on


@lru_cache(maxsize=256)
def offsets(zone: str, start: datetime, end: datetime) -> tuple[tuple[datetime | None, int], ...]:
    """``((until, seconds), ...)``: the zone's UTC offset in seconds before each change in
    [start, end), the last one with ``until`` None."""
    tz = ZoneInfo(zone)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(tz).utcoffset().total_seconds())

    found: list[tuple[datetime | None, int]] = []
    current = offset(start)
    day = start
    while day < end:
        following = min(day + timedelta(days=1), end)
        if offset(following) != current:
            low, high = day, following  # the change lies in (low, high]: halve to the second
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if offset(middle) == current else (low, middle)
            found.append((high, current))
            current = offset(high)
        day = following
    found.append((None, current))
    return tuple(found)


def shifted_sqlite(column, zone: str, start: datetime | None, end: datetime | None):
    """The local wall-clock time of ``column`` as SQLite text (``datetime(col, '+18000 seconds')``)."""
    start = (start or EARLIEST).astimezone(UTC)
    end = (end or datetime.now(UTC) + timedelta(days=366)).astimezone(UTC)
    changes = offsets(zone, start, end)

    def modifier(seconds: int) -> str:
        return f"{seconds:+d} seconds"

    if len(changes) == 1:
        shift = literal(modifier(changes[0][1]))
    else:
        stamp = func.strftime("%Y-%m-%d %H:%M:%S", column)
        shift = case(
            *[(stamp < until.strftime("%Y-%m-%d %H:%M:%S"), modifier(seconds)) for until, seconds in changes[:-1]],
            else_=modifier(changes[-1][1]),
        )
    return func.datetime(column, shift)


def local_time(column, dialect: str, zone: str, start=None, end=None):
    """``column``, a UTC moment, as a wall-clock time in ``zone``."""
    if dialect == "postgresql":
        return func.timezone(zone, column)
    return shifted_sqlite(column, zone, start, end)


def bucket(column, unit: str, dialect: str, zone: str, start=None, end=None):
    """The first day of the day, week (Monday) or month holding ``column`` in ``zone``: a date on
    PostgreSQL, ``YYYY-MM-DD`` text on SQLite (``bucket_day`` reads both)."""
    local = local_time(column, dialect, zone, start, end)
    if dialect == "postgresql":
        return func.date(func.date_trunc(unit, local))
    if unit == "day":
        return func.date(local)
    if unit == "week":
        return func.date(local, "weekday 0", "-6 days")
    return func.strftime("%Y-%m-01", local)


def hour(column, dialect: str, zone: str, start=None, end=None):
    """The hour (0-23) of ``column`` on the clock in ``zone``."""
    local = local_time(column, dialect, zone, start, end)
    if dialect == "postgresql":
        return cast(func.extract("hour", local), Integer)
    return cast(func.strftime("%H", local), Integer)


def weekday(column, dialect: str, zone: str, start=None, end=None):
    """The ISO weekday (1 Monday .. 7 Sunday) of ``column`` in ``zone``."""
    local = local_time(column, dialect, zone, start, end)
    if dialect == "postgresql":
        return cast(func.extract("isodow", local), Integer)
    return (cast(func.strftime("%w", local), Integer) + 6) % 7 + 1
