"""Who may do what with an attachment: exactly what they may do with its record. Seeing the record
lets one see and download its files; editing it (while it is not archived) lets one upload,
reorder and delete them."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_login import current_user

from crmkit import db
from crmkit.core.files.models import Attachment
from crmkit.entities.errors import RecordError
from crmkit.entities.service import Records


def records_for(entity_key: str, user: Any = None) -> Records:
    registry = current_app.extensions["crmkit"].entities
    if entity_key not in registry:
        abort(404)
    return Records(registry.get(entity_key), user if user is not None else current_user)


def record_or_abort(entity_key: str, record_id: int, edit: bool = False, user: Any = None) -> tuple[Records, Any]:
    """The record the user sees (404 otherwise); with ``edit``, one they may change (403 otherwise)."""
    records = records_for(entity_key, user)
    try:
        record = records.get(record_id)
    except RecordError as error:
        abort(404 if error.status in (403, 404) else error.status)
    if edit and not may_edit(records, record):
        abort(403)
    return records, record


def may_edit(records: Records, record: Any) -> bool:
    return records.can("edit") and not record.is_archived


def attachment_or_abort(attachment_id: int, edit: bool = False) -> tuple[Attachment, Records, Any]:
    attachment = db.session().get(Attachment, attachment_id) if attachment_id < 2**62 else None
    if attachment is None:
        abort(404)
    records, record = record_or_abort(attachment.entity, attachment.record_id, edit)
    return attachment, records, record
