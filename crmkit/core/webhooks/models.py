"""Webhooks and their deliveries (the outbox: written with the change, sent after it commits)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

EVENTS = ("create", "update", "archive", "restore")
STATUSES = ("pending", "delivered", "failed", "cancelled")


class Webhook(SQLModel, table=True):
    """A receiver of one entity's events (``entity="*"``: every entity), with the secret that signs them.

    ``events`` lists the events sent (``["*"]``: all of them).
    """

    __tablename__ = "core_webhook"

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(default="*", max_length=100)
    events: list[str] = Field(default_factory=lambda: ["*"], sa_type=JSON)
    url: str = Field(max_length=2000)
    secret: str = Field(max_length=200)
    active: bool = Field(default=True)
    created_by: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)

    def wants(self, entity_key: str, event: str) -> bool:
        return self.active and self.entity in ("*", entity_key) and ("*" in self.events or event in self.events)


class WebhookDelivery(SQLModel, table=True):
    """One event for one webhook: what is sent, and how its attempts went.

    ``status`` is pending (``next_attempt_at`` says when it is due), delivered, failed (after
    the last attempt) or cancelled (its webhook was switched off or removed).
    """

    __tablename__ = "core_webhook_delivery"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event_id", name="uq_core_webhook_delivery_event"),
        Index("ix_core_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    webhook_id: int = Field(foreign_key="core_webhook.id", index=True)
    event_id: str = Field(max_length=36)
    entity: str = Field(max_length=100)
    record_id: int
    event: str = Field(max_length=20)
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    status: str = Field(default="pending", max_length=20)
    attempts: int = Field(default=0)
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    last_status_code: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = Field(default_factory=utcnow)
    delivered_at: datetime | None = None
