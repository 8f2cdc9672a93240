"""The import job: what is being imported, how far it got, and every bad row found so far."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

STATUSES = ("new", "running", "done")
MODES = ("skip", "update", "create")


class ImportJob(SQLModel, table=True):
    """One import of one file into one entity by one user.

    Progress (``rows_done``, the file row number of the last committed row, and the counts) is
    written in the same transaction as each chunk of records, so after a crash the job says
    exactly which rows are saved; running the same file again continues after them.
    ``errors`` holds ``[row, field, message]`` for every bad row, in the language of the run.
    """

    __tablename__ = "core_import"
    __table_args__ = (Index("ix_core_import_resume", "entity", "file_hash", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100)
    file_name: str = Field(default="", max_length=255)
    file_hash: str = Field(max_length=64)
    mapping: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)  # file column -> field
    mode: str = Field(default="skip", max_length=10)
    user_id: int = Field(foreign_key="core_user.id")
    status: str = Field(default="new", max_length=20)
    rows_total: int = 0
    rows_done: int = 1  # the header
    rows_ok: int = 0
    rows_bad: int = 0
    rows_created: int = 0
    rows_updated: int = 0
    rows_skipped: int = 0
    errors: list[Any] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
