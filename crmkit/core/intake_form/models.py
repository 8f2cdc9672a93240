"""A web form an admin sets up: what it asks, which sites may post it, and what the visitor sees
after sending. ``token`` is its public address (``/intake/forms/<token>``), never its id."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


def new_token() -> str:
    return secrets.token_urlsafe(18)


class IntakeForm(SQLModel, table=True):
    __tablename__ = "intake_form"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(default_factory=new_token, max_length=40, unique=True)
    name: str = Field(max_length=200)
    fields: list[str] = Field(default_factory=list, sa_type=JSON)  # the lead's fields it asks, in order
    required: list[str] = Field(default_factory=list, sa_type=JSON)
    allowed_origins: list[str] = Field(default_factory=list, sa_type=JSON)  # "https://site.kz"
    language: str = Field(default="ru", max_length=5)  # of its labels and messages
    thank_you: str | None = Field(default=None, max_length=2000)
    redirect_url: str | None = Field(default=None, max_length=2000)
    source_id: int | None = Field(default=None, foreign_key="leads_source.id", index=True)
    active: bool = Field(default=True)
    honeypot_count: int = Field(default=0)  # bots caught: filled the hidden field
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = Field(default=None)
