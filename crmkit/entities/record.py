"""The columns every entity table has, so that generic code can rely on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Record(SQLModel):
    """Base of every entity table.

    ``version`` is SQLAlchemy's version counter: an UPDATE names the version it read, so a stale
    write matches no row and fails instead of overwriting someone else's change.
    ``extra`` holds light fields that plugins and admins add, under their own key
    (``{"campaigns": {...}, "custom": {...}}``); typed fields live in the extending plugin's table.
    """

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1)
    owner_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = Field(default=None, index=True)
    extra: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)

    @declared_attr
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805 - SQLAlchemy's declared_attr protocol
        return {"version_id_col": cls.__table__.c.version}

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None
