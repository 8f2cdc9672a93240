"""Tables of the records plugin: admin-defined custom fields and saved list views."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

FIELD_TYPES = ("text", "number", "money", "date", "choice", "boolean", "link", "user")


class CustomField(SQLModel, table=True):
    """A field an admin added to an entity; its values live in ``extra["custom"][name]``."""

    __tablename__ = "core_custom_field"
    __table_args__ = (UniqueConstraint("entity", "name", name="uq_core_custom_field_entity_name"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100, index=True)
    name: str = Field(max_length=60)
    label: str = Field(max_length=200)
    type: str = Field(max_length=20)
    choices: list[str] = Field(default_factory=list, sa_type=JSON)
    link: str | None = Field(default=None, max_length=100)  # the entity a "link" field points to
    required: bool = False
    position: int = 0


class SavedView(SQLModel, table=True):
    """A list's filters, sort and columns saved under a name, for its owner or for everyone."""

    __tablename__ = "core_saved_view"
    __table_args__ = (Index("ix_core_saved_view_entity_user", "entity", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100)
    name: str = Field(max_length=100)
    user_id: int = Field(foreign_key="core_user.id")
    shared: bool = False
    query: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # filters and sort, as URL args
    columns: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
