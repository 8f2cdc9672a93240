"""Notifications, each user's choices about them, and the digests already sent."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Notification(SQLModel, table=True):
    """One message to one user, stored already rendered in their language.

    ``record_entity``/``record_id`` name the record it is about (its page is the link when no
    ``url`` is given); ``read_at`` is empty while unread. The bell counts through
    ``(user_id, read_at)``; the page lists through ``(user_id, id)``.
    """

    __tablename__ = "core_notification"
    __table_args__ = (
        Index("ix_core_notification_unread", "user_id", "read_at"),
        Index("ix_core_notification_user_list", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id")
    kind: str = Field(default="general", max_length=100)
    title: str = Field(max_length=500)
    body: str | None = Field(default=None, sa_type=Text)
    url: str | None = Field(default=None, max_length=1000)
    record_entity: str | None = Field(default=None, max_length=100)
    record_id: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    read_at: datetime | None = Field(default=None)


class NotificationPreference(SQLModel, table=True):
    """A user's choices: which kinds also go to email (kind -> bool, overriding the kind's
    default) and whether the daily digest is on."""

    __tablename__ = "core_notification_preference"

    user_id: int = Field(foreign_key="core_user.id", primary_key=True)
    email_kinds: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    digest: bool = Field(default=False, index=True)
    updated_at: datetime = Field(default_factory=utcnow)


class NotificationDigest(SQLModel, table=True):
    """A daily digest claimed for a user and a day of their calendar: the unique pair is what
    makes a rerun of the job send nothing twice."""

    __tablename__ = "core_notification_digest"
    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_core_notification_digest_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id")
    day: date
    count: int = Field(default=0)
    sent_at: datetime = Field(default_factory=utcnow)
