"""The change history of every record: who did what, when, and each field's old and new value,
and how a page reads those values back (``entries``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask_babel import format_date
from marshmallow import fields
from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow
from crmkit.i18n import datetime_filter

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

    def shown_entries(self, entity: Any, shown: Callable[[str, Any], Any] | None = None) -> list[tuple[str, Any, Any]]:
        """For templates: ``entries`` of this change."""
        return entries(self, entity, shown)


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


def _field(entity: Any, name: str) -> Any:
    return entity.schema._declared_fields.get(name) if entity is not None else None


def shown_value(entity: Any, name: str, value: Any, shown: Callable[[str, Any], Any] | None = None) -> Any:
    """A stored history value as a person reads it: a date or time (kept as ISO text) in the
    user's time zone and format; anything else through ``shown`` (the page's: a link by its
    record's title, a choice by its label), else the entity's display."""
    field = _field(entity, name)
    if isinstance(value, str) and isinstance(field, (fields.DateTime, fields.Date)):
        try:
            if isinstance(field, fields.DateTime):
                return datetime_filter(datetime.fromisoformat(value), "short")
            return format_date(date.fromisoformat(value[:10]), "medium")
        except ValueError:
            return value
    if shown is not None:
        return shown(name, value)
    return entity.display(name, value) if entity is not None else value


def entries(change: Change, entity: Any, shown: Callable[[str, Any], Any] | None = None) -> list[tuple[str, Any, Any]]:
    """(field, old, new) of a change as its history lists them, each value as ``shown_value``
    reads it. Mappings (a person's phones as typed, kept beside the numbers) are bookkeeping, not
    something a person changed, and are left out; so are the empty fields of a new record."""
    found = []
    for name, pair in (change.changes or {}).items():
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        if isinstance(old, dict) or isinstance(new, dict):
            continue
        if change.action == "create" and new in (None, "", False, []):
            continue
        found.append((name, shown_value(entity, name, old, shown), shown_value(entity, name, new, shown)))
    return found
