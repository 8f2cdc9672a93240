"""A system that may post leads to the webhook: its URL key and its own signing secret."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


def new_key() -> str:
    return secrets.token_urlsafe(18)


def new_secret() -> str:
    return secrets.token_hex(32)


class WebhookSender(SQLModel, table=True):
    __tablename__ = "intake_webhook_sender"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(default_factory=new_key, max_length=40, unique=True)
    name: str = Field(max_length=200)
    secret: str = Field(default_factory=new_secret, max_length=128)
    source_id: int | None = Field(default=None, foreign_key="leads_source.id", index=True)
    active: bool = Field(default=True)
    received_count: int = Field(default=0)
    last_received_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = Field(default=None)
