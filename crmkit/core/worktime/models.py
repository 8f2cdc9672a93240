"""The stored work calendar: one settings row and the admin's own days.

No settings row means the defaults (Monday to Friday 09:00-18:00, Kazakhstan's holidays, the
deployment's time zone), so a fresh instance has a sensible calendar before anyone opens the page.
``version`` grows with every change: each process keeps its built calendar until it sees another.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

SETTINGS_ID = 1
COUNTRIES = ("KZ", "RU")
DAY_KINDS = ("off", "working")


class WorktimeSettings(SQLModel, table=True):
    """The instance's calendar. ``week``: weekday (``"0"`` Monday .. ``"6"`` Sunday) to
    ``["09:00", "18:00"]``, a missing weekday is a day off; ``country``: whose public holidays
    count ("": none); ``timezone``: None follows CRMKIT_DEFAULT_TIMEZONE."""

    __tablename__ = "worktime_settings"

    id: int | None = Field(default=None, primary_key=True)
    week: dict[str, list[str]] = Field(default_factory=dict, sa_type=JSON)
    country: str = Field(default="KZ", max_length=2)
    timezone: str | None = Field(default=None, max_length=64)
    version: int = Field(default=1)
    updated_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    updated_at: datetime = Field(default_factory=utcnow)


class WorktimeDay(SQLModel, table=True):
    """A date the admin set apart: a day off (``off``: a holiday the country's calendar lacks) or a
    working day (``working``: a transferred working Saturday, or a public holiday the office works),
    with its hours."""

    __tablename__ = "worktime_day"

    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    kind: str = Field(max_length=10)
    starts: time | None = Field(default=None)
    ends: time | None = Field(default=None)
    note: str = Field(default="", max_length=200)
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
