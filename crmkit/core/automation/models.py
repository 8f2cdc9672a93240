"""Automation rules and the log of their runs.

A rule keeps its trigger, conditions and actions as JSON in the shape the engine reads
(crmkit.core.automation.rules); users, stages and departments in it are database ids, turned
into emails and names only when rules are written to a file (portable.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

RESULTS = ("ok", "skipped", "error")


class Rule(SQLModel, table=True):
    """When ``trigger`` fires on a record of ``entity`` and ``conditions`` hold, do ``actions`` in order.

    ``checked_at``: the end of the last window a time trigger was checked for (the periodic job);
    ``memo``: what the engine remembers between runs (the last user a round robin chose).
    """

    __tablename__ = "automation_rule"
    __table_args__ = (Index("ix_automation_rule_entity", "entity", "enabled"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    entity: str = Field(max_length=100)
    trigger: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    conditions: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    actions: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    enabled: bool = Field(default=True)
    position: int = Field(default=0)
    checked_at: datetime | None = None
    memo: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    updated_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class RuleRun(SQLModel, table=True):
    """One run of a rule on one record: what fired it, how it ended and how deep in a chain of rules."""

    __tablename__ = "automation_run"
    __table_args__ = (
        Index("ix_automation_run_record", "entity", "record_id", "at"),  # a record's timeline
        Index("ix_automation_run_rule", "rule_id", "id"),  # the log filtered by rule
        Index("ix_automation_run_result", "result", "id"),  # the log filtered by result
    )

    id: int | None = Field(default=None, primary_key=True)
    rule_id: int | None = Field(default=None, foreign_key="automation_rule.id")
    rule_name: str = Field(default="", max_length=200)
    entity: str = Field(max_length=100)
    record_id: int | None = None
    trigger: str = Field(max_length=50)
    result: str = Field(max_length=10)
    message: str | None = Field(default=None, sa_type=Text)
    duration_ms: float = Field(default=0)
    depth: int = Field(default=1)
    at: datetime = Field(default_factory=utcnow)
