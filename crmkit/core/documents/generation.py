"""Making a document from a record: number it, render its template, store the PDF (the .docx, for
a Word template) as an attachment of the record (kind ``document``, so it is on the record's Attachments panel and
timeline) and add it to the archive, all in one transaction.

Regenerating from the same template for the same record keeps the number and makes version 2,
3...; the earlier versions and their files stay.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import defer

from crmkit import api
from crmkit import db as database
from crmkit.core.documents import numbering, rendering, word
from crmkit.core.documents.entity import KEY, TYPE_LABELS
from crmkit.core.documents.models import DOCX_TYPE, Document, DocumentTemplate

ORIGIN: ContextVar[dict | None] = ContextVar("documents_origin", default=None)
GENERATING: ContextVar[bool] = ContextVar("documents_generating", default=False)  # its file is no upload


def templates_for(entity_key: str) -> list[DocumentTemplate]:
    """The templates a record of ``entity_key`` can be made into (its own and those for any)."""
    return list(database.session().execute(
        select(DocumentTemplate).where(DocumentTemplate.entity.in_([entity_key, "*"]), DocumentTemplate.archived_at.is_(None))
        .options(defer(DocumentTemplate.docx), defer(DocumentTemplate.source))  # read for the one chosen only
        .order_by(DocumentTemplate.name, DocumentTemplate.id).limit(200)).scalars())


def has_templates(entity_key: str) -> bool:
    """Whether some template is for ``entity_key``: one indexed row, for the record page's button."""
    return database.session().execute(
        select(DocumentTemplate.id).where(DocumentTemplate.entity.in_([entity_key, "*"]), DocumentTemplate.archived_at.is_(None))
        .limit(1)).first() is not None


def previous(template: DocumentTemplate, entity_key: str, record_id: int) -> tuple[str | None, int]:
    """The number of the documents made from this template for this record, and their last version."""
    row = database.session().execute(
        select(Document.number, func.max(Document.doc_version)).where(
            Document.entity == entity_key, Document.record_id == record_id, Document.template_id == template.id)
        .group_by(Document.number).order_by(func.max(Document.doc_version).desc()).limit(1)).first()
    return (row[0], row[1]) if row else (None, 0)


def title_of(template: DocumentTemplate, record: Any, entity: Any) -> str:
    name = str(getattr(record, entity.title_field, "") or "")
    return f"{TYPE_LABELS.get(template.doc_type, template.doc_type)}: {name}"[:255]


def preview(template: DocumentTemplate, entity: Any, record: Any, user: Any) -> str | list[str]:
    """The HTML the document would have (a Word template: its paragraphs and table rows as text),
    numbered "…" since no number is taken for a preview."""
    values = rendering.context(entity, record, template.language, "…", api.today(user), 1, title_of(template, record, entity), user)
    if template.engine == "docx":
        return word.text_of(word.render(template.docx or b"", values))
    return rendering.render_html(template.source, values)


def made(template: DocumentTemplate, values: dict) -> tuple[bytes, str, str]:
    """The file's bytes, extension and type: a .docx from a Word template, else a PDF."""
    if template.engine == "docx":
        return word.render(template.docx or b"", values), "docx", DOCX_TYPE
    return rendering.html_to_pdf(rendering.render_html(template.source, values)), "pdf", "application/pdf"


def generate(template: DocumentTemplate, entity: Any, record: Any, user: Any) -> Document:
    """Make and store the document; the caller has checked the user may see and edit ``record``."""
    session = database.session()
    day = api.today(user)
    number, last = previous(template, entity.key, record.id)
    if number is None:
        number = numbering.next_number(session, template.doc_type, day.year)
    version = last + 1
    title = title_of(template, record, entity)
    values = rendering.context(entity, record, template.language, number, day, version, title, user)
    content, extension, content_type = made(template, values)
    filename = f"{number}" + (f" v{version}" if version > 1 else "") + f".{extension}"
    generating = GENERATING.set(True)
    try:
        attachment = api.attach_file(entity.key, record.id, io.BytesIO(content), filename, content_type=content_type,
                                     kind="document", title=title, user=user)
    finally:
        GENERATING.reset(generating)
    session.flush()
    organization_id, person_id = rendering.counterparty(entity.key, record)
    total, currency = rendering.record_total(entity.key, record)
    token = ORIGIN.set({"entity": entity.key, "record_id": record.id, "template_id": template.id, "doc_version": version,
                        "attachment_id": attachment.id, "filename": attachment.filename,
                        "owner_id": getattr(record, "owner_id", None)})
    try:
        return api.Records(KEY, user).create({
            "title": title, "doc_type": template.doc_type, "number": number, "doc_date": day, "status": "draft",
            "language": template.language, "organization_id": organization_id, "person_id": person_id,
            "total": total, "currency": currency if total is not None else None})
    finally:
        ORIGIN.reset(token)


def fill_origin(record: Document) -> None:
    """The ``before_create`` of a document: what the generation knows and the form never sets."""
    origin = ORIGIN.get()
    if origin is None:
        return
    for name, value in origin.items():
        if value is not None:
            setattr(record, name, value)
