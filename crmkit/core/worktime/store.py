"""The instance's calendar built from its tables, kept per process until it changes.

Building one reads the settings row and the admin's days (tens a year); the built ``Calendar``
is kept in ``app.extensions`` with the settings' ``version`` and re-checked at most every
``RECHECK`` seconds, so a thousand deadlines cost one small query, and a change saved by another
process is seen within seconds (at once in the process that saved it).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.worktime.calendar import Calendar, Holidays, default_week, week_from
from crmkit.core.worktime.models import SETTINGS_ID, WorktimeDay, WorktimeSettings

RECHECK = 2.0  # seconds a process trusts its calendar before asking for the version again
KEY = "worktime"


@dataclass
class Kept:
    version: int
    calendar: Calendar
    checked: float


def settings(session: Any) -> WorktimeSettings:
    """The stored settings, or the defaults (not saved) when nobody has changed them yet."""
    found = session.get(WorktimeSettings, SETTINGS_ID)
    return found if found is not None else WorktimeSettings(id=SETTINGS_ID, week=None, version=0)


def zone_of(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or current_app.config.get("DEFAULT_TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def build(session: Any) -> Calendar:
    row = settings(session)
    days = list(session.execute(select(WorktimeDay)).scalars())
    return Calendar(
        zone=zone_of(row.timezone),
        week=week_from(row.week if row.version else None, default_week),
        holidays=Holidays(row.country),
        days_off=frozenset(d.day for d in days if d.kind == "off"),
        working_days={d.day: (d.starts or time(9), d.ends or time(18)) for d in days if d.kind == "working"},
    )


def stored_version(session: Any) -> int:
    return session.execute(select(WorktimeSettings.version).where(WorktimeSettings.id == SETTINGS_ID)).scalar() or 0


def current(zone: str | ZoneInfo | None = None) -> Calendar:
    """The instance's calendar, on ``zone``'s clock when given (an office's or a user's)."""
    kept: Kept | None = current_app.extensions.get(KEY)
    now = clock.monotonic()
    if kept is None or now - kept.checked > RECHECK:
        session = db.session()
        version = stored_version(session)
        if kept is None or kept.version != version:
            kept = Kept(version, build(session), now)
        else:
            kept.checked = now
        current_app.extensions[KEY] = kept
    calendar = kept.calendar
    if zone is not None:
        calendar = calendar.in_zone(zone if isinstance(zone, ZoneInfo) else zone_of(zone))
    return calendar


def forget() -> None:
    """Drop this process's calendar after a change, so the next answer reads the new one."""
    current_app.extensions.pop(KEY, None)
