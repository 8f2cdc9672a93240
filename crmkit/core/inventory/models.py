"""One table: which records (calls, leads, deals...) are about which inventory items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class InventoryLink(SQLModel, table=True):
    """``subject`` (a call, a lead, a deal) is about ``item`` (an object, a car, a course).
    The first index serves an item's panel and its counts; the second a subject's list of items."""

    __tablename__ = "inventory_link"
    __table_args__ = (
        UniqueConstraint("subject_entity", "subject_id", "item_entity", "item_id", name="uq_inventory_link"),
        Index("ix_inventory_link_item", "item_entity", "item_id", "subject_entity", "created_at"),
        Index("ix_inventory_link_subject", "subject_entity", "subject_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_entity: str = Field(max_length=100)
    subject_id: int
    item_entity: str = Field(max_length=100)
    item_id: int
    created_at: datetime = Field(default_factory=utcnow)
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id")
