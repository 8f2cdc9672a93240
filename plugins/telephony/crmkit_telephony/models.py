"""What the plugin stores: one row per call (whatever order its events came in) and the table of
extensions, which says whose line each internal number is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class Call(SQLModel, table=True):
    """A call as the events received so far tell it. ``events`` lists the kinds seen, so a repeat
    changes nothing; ``outcome`` is answered once any answer is known, missed when it ended
    without one. ``queued`` is True while a missed inbound call waits for a callback."""

    __tablename__ = "telephony_call"
    __table_args__ = (
        UniqueConstraint("provider", "call_id", name="uq_telephony_call_provider_call_id"),
        Index("ix_telephony_call_queue", "queued", "callback_due_at"),
        Index("ix_telephony_call_unknown", "unknown_extension", "started_at"),
        Index("ix_telephony_call_started", "started_at", "direction", "outcome", "user_id"),  # the reports
    )

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    call_id: str = Field(max_length=100)
    direction: str = Field(max_length=10)
    caller: str = Field(default="", max_length=40)
    called: str = Field(default="", max_length=40)
    their_number: str | None = Field(default=None, max_length=40, index=True)  # E.164 of the client
    extension: str | None = Field(default=None, max_length=40)
    user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    unknown_extension: bool = Field(default=False)
    about_entity: str | None = Field(default=None, max_length=100)
    about_id: int | None = None
    events: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str | None = Field(default=None, max_length=20)
    started_at: datetime | None = Field(default=None)
    answered_at: datetime | None = Field(default=None)
    ended_at: datetime | None = Field(default=None)
    duration_seconds: int | None = None
    recording_url: str | None = Field(default=None, max_length=1000)
    activity_id: int | None = Field(default=None, index=True)
    queued: bool = Field(default=False)
    callback_due_at: datetime | None = Field(default=None)
    callback_task_id: int | None = None
    handled_at: datetime | None = Field(default=None)
    handled_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    called_back_by: int | None = None  # the call (this table's id) that reached the client again


class Extension(SQLModel, table=True):
    """An internal number of a provider's PBX and the user who answers it."""

    __tablename__ = "telephony_extension"
    __table_args__ = (UniqueConstraint("provider", "extension", name="uq_telephony_extension_provider_extension"),)

    id: int | None = Field(default=None, primary_key=True)
    provider: str = Field(max_length=40)
    extension: str = Field(max_length=40)
    user_id: int = Field(foreign_key="core_user.id", index=True)
