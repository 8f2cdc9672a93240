"""The change history of every record: who did what, when, and each field's old and new value."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

HISTORY_ACTIONS = ("create", "update", "archive", "restore", "conflict", "merge", "unmerge")


class Change(SQLModel, table=True):
    """One entry of a record's history.

    ``changes`` maps each field to ``[old, new]``. A rejected stale edit is kept as ``conflict``
    with the values the person tried to save, so nothing typed is ever lost.
    """

    __tablename__ = "core_change"
    __table_args__ = (Index("ix_core_change_record", "entity", "record_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100)
    record_id: int
    action: str = Field(max_length=20)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)
    changes: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


def plain(value: Any) -> Any:
    """A JSON-safe copy of a field value for the history."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [plain(before.get(k)), plain(after[k])] for k in after if plain(before.get(k)) != plain(after[k])}
