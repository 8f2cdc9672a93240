"""One table for every kind of activity: the timeline reads a single indexed range."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from crmkit import Record
from crmkit.db import utcnow

KINDS = ("call", "email", "meeting", "task", "note")
DIRECTIONS = ("inbound", "outbound")
OUTCOMES = ("answered", "missed", "busy", "no_answer")
PRIORITIES = ("low", "normal", "high")
STATUSES = ("open", "done", "cancelled")


class Activity(Record, table=True):
    """A call, email, meeting, task or note about one record of any entity of any plugin.

    ``about_entity``/``about_id`` name that record (``person``/12, ``real_estate.property``/7).
    ``happened_at`` places it on the timeline: when a call, email or note happened, when a
    meeting starts, when a task is due. The owner is whoever does it (a task's assignee).
    """

    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_about", "about_entity", "about_id", "happened_at"),
        Index("ix_activity_owner_kind_at", "owner_id", "kind", "happened_at"),
        Index("ix_activity_owner_list", "owner_id", "archived_at", "happened_at"),  # an agent's own list, in order
        Index("ix_activity_updated", "updated_at", "id"),  # automation: idle for N days
        # clients without activity: the last N days' activities and what each is about, from the index alone
        Index("ix_activity_recent_about", "happened_at", "archived_at", "about_entity", "about_id"),
    )

    kind: str = Field(max_length=10, index=True)
    subject: str = Field(default="", max_length=200)
    body: str | None = Field(default=None, sa_type=Text)
    about_entity: str | None = Field(default=None, max_length=100)
    about_id: int | None = None
    happened_at: datetime | None = Field(default=None, index=True)
    ends_at: datetime | None = None
    # calls and emails
    direction: str | None = Field(default=None, max_length=10)
    our_address: str | None = Field(default=None, max_length=254)  # our number or mailbox
    their_address: str | None = Field(default=None, max_length=254, index=True)  # theirs, E.164 for phones
    duration_seconds: int | None = None
    outcome: str | None = Field(default=None, max_length=20)
    recording_url: str | None = Field(default=None, max_length=1000)
    # meetings
    place: str | None = Field(default=None, max_length=300)
    participants: str | None = Field(default=None, sa_type=Text)
    # tasks
    priority: str | None = Field(default=None, max_length=10)
    status: str | None = Field(default=None, max_length=10, index=True)
    done_at: datetime | None = None
    reminder_at: datetime | None = Field(default=None, index=True)
    reminded_at: datetime | None = None


class CalendarFeed(SQLModel, table=True):
    """A user's secret iCalendar feed address; only a hash of its token is kept."""

    __tablename__ = "activities_calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
