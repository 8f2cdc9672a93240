"""A mail template: a key programs and rules name it by, the entity whose records it is written
for, and per language a subject and an HTML body."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class MailTemplate(SQLModel, table=True):
    """``texts`` is ``{language: {"subject": ..., "body": ...}}``; the instance's default
    language is required, the others fall back to it. ``version`` guards against stale edits."""

    __tablename__ = "core_mail_template"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=100, unique=True, index=True)
    entity: str = Field(max_length=100, index=True)
    name: str = Field(max_length=200)
    texts: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    version: int = Field(default=1)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    def text(self, language: str, fallback: str) -> dict[str, str]:
        """The subject and body in ``language``, else in ``fallback``, else in any language given."""
        for candidate in (language, fallback, *self.texts):
            found = self.texts.get(candidate) or {}
            if found.get("subject") or found.get("body"):
                return {"subject": found.get("subject", ""), "body": found.get("body", "")}
        return {"subject": "", "body": ""}
