"""Sending a blob to the browser: streamed from storage in chunks, with its length, its type and a
Content-Disposition that carries any name (``filename*`` per RFC 5987, an ASCII fallback)."""

from __future__ import annotations

from flask import abort, send_file

from crmkit.core.files.models import Attachment
from crmkit.core.files.service import open_blob

INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


def download(attachment: Attachment, inline: bool = False):
    """The attachment as a response; ``inline`` shows images and PDFs in the browser, anything
    else is always a download (so no uploaded HTML or script ever runs on our origin)."""
    try:
        stream = open_blob(attachment)
    except FileNotFoundError:
        abort(404)
    shown = inline and attachment.content_type in INLINE
    response = send_file(stream, mimetype=attachment.content_type, as_attachment=not shown,
                         download_name=attachment.filename, conditional=False, etag=attachment.sha256,
                         max_age=0)
    response.content_length = attachment.size
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-cache"
    if not shown:
        response.headers["Content-Security-Policy"] = "sandbox"
    return response
