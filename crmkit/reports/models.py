"""Saved reports (a report with its filter values, private or shared) and their mailings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

FREQUENCIES = ("weekly", "monthly")


class SavedReport(SQLModel, table=True):
    """A report's parameters (its query string) under a name; its owner's, or everyone's when shared."""

    __tablename__ = "reports_saved"

    id: int | None = Field(default=None, primary_key=True)
    report_key: str = Field(max_length=200, index=True)
    name: str = Field(max_length=200)
    owner_id: int = Field(foreign_key="core_user.id", index=True)
    shared: bool = Field(default=False)
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)


class ReportMailing(SQLModel, table=True):
    """A saved report mailed as XLSX to chosen users, weekly or monthly, at an hour of its owner's clock.

    Each recipient gets the report as they would see it (their permissions and visibility).
    ``next_run_at`` is when it is due next (UTC); the job claims a due mailing by moving it on.
    """

    __tablename__ = "reports_mailing"

    id: int | None = Field(default=None, primary_key=True)
    saved_id: int = Field(foreign_key="reports_saved.id", index=True)
    owner_id: int = Field(foreign_key="core_user.id", index=True)
    frequency: str = Field(default="weekly", max_length=10)
    weekday: int = Field(default=0)  # weekly: 0 Monday .. 6 Sunday
    day: int = Field(default=1)  # monthly: 1..28
    hour: int = Field(default=8)  # 0..23, the owner's time zone
    recipients: list[int] = Field(default_factory=list, sa_type=JSON)
    next_run_at: datetime = Field(index=True)
    last_sent_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
