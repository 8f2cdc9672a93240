"""Receiving uploads, for the record page and the API alike: several files in one request, saved
whole or not at all (one refused file refuses the request, and the blobs already written go with
the rolled-back transaction)."""

from __future__ import annotations

from typing import Any

from flask import request

from crmkit import db
from crmkit.core.files.checks import Refused
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import attach, max_size, too_large
from crmkit.i18n import gettext as _

MAX_FILES = 20
KINDS = ("file", "photo", "document")


def limit_request() -> None:
    """Refuse a body larger than MAX_FILES files at the limit before werkzeug reads it (413)."""
    request.max_content_length = max_size() * MAX_FILES + 1024 * 1024


def receive(entity: Any, record_id: int, files: list, user: Any, kind: str = "file") -> list[Attachment]:
    """Attach each uploaded file (werkzeug ``FileStorage``) to the record and commit, or raise
    ``Refused`` having saved none."""
    files = [f for f in files if f is not None and (f.filename or "").strip()]
    if not files:
        raise Refused(_("Choose at least one file."), 400)
    if len(files) > MAX_FILES:
        raise Refused(_("Upload at most %(n)d files at once.", n=MAX_FILES), 422)
    if kind not in KINDS:
        raise Refused(_("Not a valid kind of file."), 400)
    session = db.session()
    made = []
    try:
        for upload in files:
            if upload.content_length and upload.content_length > max_size():
                raise too_large(upload.filename)
            made.append(attach(entity, record_id, upload.stream, upload.filename, content_type=upload.mimetype,
                               kind=kind, user=user, session=session))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return made
