"""A user's own arrangement of the home page."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Dashboard(SQLModel, table=True):
    """The widgets a user chose, in their order, by key (``myday.today``, ``report:12``). No row:
    the user has not arranged anything and sees the defaults of how far they see (see
    crmkit/core/home/dashboard.py)."""

    __tablename__ = "home_dashboard"

    user_id: int = Field(foreign_key="core_user.id", primary_key=True)
    widgets: list[str] = Field(default_factory=list, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow)
