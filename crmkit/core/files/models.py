"""The attachment table: one row per file on a record, pointing at a content-addressed blob.

Rows of one record are read through ``ix_files_attachment_record`` in their order (``kind``,
``position``), so a record's panel is one indexed range however many files the table holds.
The timeline reads them newest first through ``ix_files_attachment_timeline``. ``sha256`` is indexed for cleanup and for the "is this blob still used?" check.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class Attachment(SQLModel, table=True):
    """A file attached to a record of any entity (``entity`` is its key, ``record_id`` its id).

    ``filename`` is the name made safe (what a download is called); ``original_name`` is the name
    as it was uploaded, for display. ``kind`` groups files (``file``, ``photo``, ``document``...);
    ``position`` orders them within the record. ``archived_at`` is set while the record is archived.
    """

    __tablename__ = "files_attachment"
    __table_args__ = (
        Index("ix_files_attachment_record", "entity", "record_id", "kind", "position", "id"),  # the panel
        Index("ix_files_attachment_timeline", "entity", "record_id", "created_at", "id"),  # the timeline
    )

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=100)
    record_id: int
    kind: str = Field(default="file", max_length=30)
    position: int = Field(default=0)
    sha256: str = Field(max_length=64, index=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    content_type: str = Field(max_length=127)
    filename: str = Field(max_length=255)
    original_name: str = Field(max_length=255)
    title: str | None = Field(default=None, max_length=255)
    width: int | None = Field(default=None)
    height: int | None = Field(default=None)
    created_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    created_at: datetime = Field(default_factory=utcnow)
    archived_at: datetime | None = Field(default=None)

    @property
    def is_image(self) -> bool:
        return self.width is not None and self.content_type.startswith("image/")
