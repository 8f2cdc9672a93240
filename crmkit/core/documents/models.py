"""The tables: templates admins write, documents (the archive, an entity of the framework) and
the numbering sequences, one row per document type and year.

A document points at the record it was made from (``entity``, ``record_id``) and at its file (an
attachment of that record, kind ``document``); regenerating makes a new row with ``doc_version`` + 1
and the same number, and keeps the old one.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Column, Index, LargeBinary, Text, text
from sqlmodel import Field, SQLModel

from crmkit import Record
from crmkit.db import utcnow

LIVE = text("archived_at IS NULL")
DOCUMENT_TYPES = ("offer", "contract", "act", "invoice", "other")
PREFIXES = {"offer": "КП", "contract": "ДГ", "act": "АКТ", "invoice": "СЧ", "other": "ДОК"}
STATUSES = ("draft", "sent", "signed")
LANGUAGES = ("ru", "kk", "en")
ENGINES = ("html", "docx")
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocumentTemplate(SQLModel, table=True):
    """A template an admin wrote for one entity (or ``*``: any) and document type: HTML
    (``engine`` ``html``, its ``source``, made into a PDF) or a Word file (``docx``: the uploaded
    .docx in ``docx``, named ``docx_name``, made into a .docx). Templates are few and small, so the
    Word file is kept in the row, which every web server of a deployment reads alike."""

    __tablename__ = "documents_template"
    __table_args__ = (Index("ix_documents_template_entity", "entity", "archived_at", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    entity: str = Field(max_length=100)
    doc_type: str = Field(default="other", max_length=20)
    language: str = Field(default="ru", max_length=5)
    engine: str = Field(default="html", max_length=10)
    source: str = Field(default="", sa_type=Text)
    docx: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    docx_name: str = Field(default="", max_length=255)
    archived_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class DocumentSequence(SQLModel, table=True):
    """The last number given for a document type in a year; locked while the next is taken."""

    __tablename__ = "documents_sequence"

    doc_type: str = Field(primary_key=True, max_length=20)
    year: int = Field(primary_key=True)
    last: int = Field(default=0)


class Document(Record, table=True):
    """One version of a generated or uploaded document: what it is, its number, date, counterparty
    and status, the record it was made from and its file."""

    __tablename__ = "documents_document"
    __table_args__ = (
        Index("ix_documents_document_record", "entity", "record_id", "id"),
        Index("ix_documents_document_number", "number", "doc_version"),
        Index("ix_documents_document_list", "archived_at", "doc_date", "id"),
        Index("ix_documents_document_attachment", "attachment_id"),  # a file's document, when it is deleted
        # the archive's pages: sorted by number, or filtered by status or type newest first, each
        # one range of an index of the live documents on both engines (a number is never NULL:
        # NULLS LAST would need a sort)
        Index("ix_documents_document_by_number", "number", "id", sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_documents_document_status", "status", "id", sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_documents_document_doc_type", "doc_type", "id", sqlite_where=LIVE, postgresql_where=LIVE),
    )

    title: str = Field(max_length=255)
    doc_type: str = Field(default="other", max_length=20)
    number: str = Field(default="", max_length=50)  # "" for a paper document registered without one
    doc_version: int = Field(default=1)  # 1, 2... of the same number; ``version`` is the edit lock
    doc_date: date = Field(default_factory=date.today, index=True)
    status: str = Field(default="draft", max_length=20)
    language: str = Field(default="ru", max_length=5)
    entity: str | None = Field(default=None, max_length=100)
    record_id: int | None = Field(default=None)
    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    template_id: int | None = Field(default=None, foreign_key="documents_template.id")
    attachment_id: int | None = Field(default=None, foreign_key="files_attachment.id")
    filename: str = Field(default="", max_length=255, index=True)
    total: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: str | None = Field(default=None, max_length=3)
