"""The audit log: who did what to the system (logins, users, roles, plugins, exports), from where."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

# What the core writes; plugins may write their own, named ``<plugin>.<what>``.
AUDIT_ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "password_changed",
    "session_ended",
    "two_factor_enabled",
    "two_factor_disabled",
    "two_factor_reset",
    "user_created",
    "user_changed",
    "role_changed",
    "plugin_enabled",
    "plugin_disabled",
    "export",
    "import",
)


class AuditEntry(SQLModel, table=True):
    __tablename__ = "core_audit"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    action: str = Field(max_length=50, index=True)
    ip: str | None = Field(default=None, max_length=45)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)
