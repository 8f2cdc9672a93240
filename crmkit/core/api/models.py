"""API tokens: one row per token a user made; the token itself is never stored, only its hash."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class ApiToken(SQLModel, table=True):
    """A user's bearer token for the REST API.

    ``token_hash`` is the SHA-256 of the whole token (which has 256 random bits, so a fast hash
    is enough); ``prefix`` is its first characters, shown so the owner can tell tokens apart.
    """

    __tablename__ = "core_api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    name: str = Field(default="", max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    prefix: str = Field(max_length=20)
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
