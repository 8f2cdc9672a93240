"""The tables of lead assignment and response deadlines.

- ``lead_routing_rule``: the admin's ordered rules: conditions (JSON, see conditions.py), a
  strategy and its target (a user, or a department for round robin and least loaded).
- ``lead_routing_pointer``: a rule's round-robin position, one row per rule, locked with
  SELECT ... FOR UPDATE while a lead is given out (SQLite serializes writers instead).
- ``lead_routing_settings``: the fallback user and each channel's response deadline.
- ``lead_routing_assignment``: who got a lead, when, how (manual, a rule, the fallback).
- ``lead_routing_response``: a lead's deadline and first response, with the time it took in
  calendar and in working seconds, for the reports (working time can't be summed in SQL).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

STRATEGIES = ("user", "round_robin", "least_loaded")
HOW = ("manual", "rule", "fallback")
SETTINGS_ID = 1


class Rule(SQLModel, table=True):
    """One assignment rule; the first active rule (by ``position``) whose conditions all hold and
    whose strategy finds someone wins."""

    __tablename__ = "lead_routing_rule"
    __table_args__ = (Index("ix_lead_routing_rule_order", "position", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    position: int = Field(default=0)
    active: bool = Field(default=True)
    on_arrival: bool = Field(default=False)
    conditions: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    strategy: str = Field(default="round_robin", max_length=20)
    user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="core_department.id", index=True)
    working_hours_only: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Pointer(SQLModel, table=True):
    """Where a rule's round robin stands: the last user given a lead and how many it gave."""

    __tablename__ = "lead_routing_pointer"

    rule_id: int = Field(foreign_key="lead_routing_rule.id", primary_key=True)
    last_user_id: int | None = Field(default=None)
    turns: int = Field(default=0)


class RoutingSettings(SQLModel, table=True):
    """``deadlines``: channel key to working minutes (None: no deadline); ``"*"`` for the other
    channels. ``fallback_user_id``: who gets an accepted lead no rule places."""

    __tablename__ = "lead_routing_settings"

    id: int | None = Field(default=None, primary_key=True)
    fallback_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    deadlines: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow)


class Assignment(SQLModel, table=True):
    """A lead given to someone: by hand, by a rule or to the fallback."""

    __tablename__ = "lead_routing_assignment"
    __table_args__ = (Index("ix_lead_routing_assignment_lead", "lead_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads_lead.id")
    user_id: int = Field(foreign_key="core_user.id", index=True)
    rule_id: int | None = Field(default=None, foreign_key="lead_routing_rule.id", index=True)
    how: str = Field(max_length=10)
    by_user_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)


class Response(SQLModel, table=True):
    """A lead's response deadline and its first response by a person (``how``: status,
    activity or callback), with the wait in seconds and in working seconds."""

    __tablename__ = "lead_routing_response"
    __table_args__ = (Index("ix_lead_routing_response_open", "responded_at", "due_at"),)

    lead_id: int = Field(foreign_key="leads_lead.id", primary_key=True)
    channel: str = Field(max_length=30, index=True)
    received_at: datetime
    due_at: datetime | None = Field(default=None)
    responded_at: datetime | None = Field(default=None)
    by_user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    how: str | None = Field(default=None, max_length=10)
    seconds: int | None = Field(default=None)
    working_seconds: int | None = Field(default=None)
    late: bool | None = Field(default=None)
