"""Documents uploaded to a record enter the archive: a file attached with the kind *Documents*
(a signed scan, the counterparty's own contract), from the record's Attachments panel, the REST
API or a plugin, becomes a document numbered in the "other" sequence (ДОК-2026-0001), dated
today, addressed to the record's counterparty, owned by the record's owner, with the file as its
own. The files plugin tells of every new file through the ``attachment_event`` hook; this is
the documents plugin's answer, in the upload's transaction (several files: all or none).

A file deleted from a record leaves its document in the archive, with its number and without
the file.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import update

from crmkit import api
from crmkit import db as database
from crmkit.core.documents import generation, numbering, rendering
from crmkit.core.documents.entity import KEY
from crmkit.core.documents.models import Document
from crmkit.entities.errors import Invalid

KIND = "document"


def entered(attachment: Any, entity_key: str, user: Any) -> Document | None:
    """The archive's document for a new attachment, or None when it is not an uploaded document
    (another kind, a generated document's file, a file on a document itself, no user, or a user
    who may not create documents)."""
    if attachment.kind != KIND or generation.GENERATING.get() or entity_key == KEY or user is None:
        return None
    registry = current_app.extensions["crmkit"].entities
    if entity_key not in registry:
        return None
    records = api.Records(KEY, user)
    if not records.can("create"):
        return None
    entity = registry.get(entity_key)
    record = database.session().get(entity.model, attachment.record_id)
    if record is None:
        return None
    session, day = database.session(), api.today(user)
    organization_id, person_id = rendering.counterparty(entity_key, record)
    token = generation.ORIGIN.set({"entity": entity_key, "record_id": record.id, "attachment_id": attachment.id,
                                   "filename": attachment.filename, "owner_id": getattr(record, "owner_id", None)})
    values = {"title": (attachment.title or attachment.original_name)[:255], "doc_type": "other",
              "number": numbering.next_number(session, "other", day.year), "doc_date": day, "status": "draft",
              "language": language_of(user), "organization_id": organization_id, "person_id": person_id}
    try:
        try:
            return records.create(values, commit=False)
        except Invalid:  # a counterparty the uploader doesn't see: the document names none
            return records.create({**values, "organization_id": None, "person_id": None}, commit=False)
    finally:
        generation.ORIGIN.reset(token)


def language_of(user: Any) -> str:
    language = (getattr(user, "locale", None) or current_app.config.get("DEFAULT_LOCALE") or "ru")[:2]
    return language if language in ("ru", "kk", "en") else "ru"


def released(attachment: Any) -> None:
    """Before a file is deleted: the documents it was the file of keep their number, not the file."""
    database.session().execute(update(Document).where(Document.attachment_id == attachment.id)
                               .values(attachment_id=None))
