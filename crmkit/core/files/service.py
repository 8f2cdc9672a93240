"""Attachments as plugins use them: ``attach``, ``open_blob``, ``attachments_of``, ``detach``.

``attach`` runs in the caller's session: the blob is written to storage before the row is
flushed, and the session's events finish the job. Before the commit each new row's blob is
checked to be there (a cleanup racing an upload fails the upload, never leaves a row without its
file); after a rollback (or a session closed without a commit) the blobs the transaction created
are removed unless a committed row uses them; after a commit, blobs whose last row was deleted
go. So no row points at a missing file and no orphan stays.
"""

from __future__ import annotations

import io
import tempfile
from typing import IO, Any

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from crmkit import db
from crmkit.core.files import checks, storage
from crmkit.core.files.models import Attachment
from crmkit.db import utcnow
from crmkit.i18n import format_decimal
from crmkit.i18n import gettext as _

DEFAULT_MAX_SIZE = 25 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
CREATED, RELEASED, ADDED = "crmkit.files.created", "crmkit.files.released", "crmkit.files.added"


def files_storage(app: Any = None) -> storage.Storage:
    """The app's storage, made once from its settings (FILES_URL and FILES_S3_*)."""
    app = app or current_app
    found = app.extensions.get("crmkit.files")
    if found is None:
        found = app.extensions["crmkit.files"] = storage.from_settings(app.config, app.instance_path)
    return found


def max_size(app: Any = None) -> int:
    return int((app or current_app).config.get("FILES_MAX_SIZE") or DEFAULT_MAX_SIZE)


def max_pixels(app: Any = None) -> int:
    return int((app or current_app).config.get("FILES_MAX_IMAGE_PIXELS") or DEFAULT_MAX_PIXELS)


def _key(entity: Any) -> str:
    return entity if isinstance(entity, str) else entity.key


def _seekable(data: bytes | IO[bytes]) -> IO[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(data))
    if data.seekable():
        return data
    spooled = tempfile.SpooledTemporaryFile(max_size=storage.CHUNK)  # a pipe or socket: on disk past 1 MB
    for chunk in storage.chunks(data):
        spooled.write(chunk)
    spooled.seek(0)
    return spooled


def attach(entity: Any, record_id: int, data: bytes | IO[bytes], filename: str, *, content_type: str | None = None,
           kind: str = "file", title: str | None = None, user: Any = None, session: Session | None = None) -> Attachment:
    """Store ``data`` and attach it to the record, in the current transaction (the caller commits).

    ``data`` is bytes or a binary file, read in chunks (one that can't seek is spooled to disk first). Raises ``checks.Refused`` for a
    file over FILES_MAX_SIZE (413), a type its content contradicts, a program or an image bomb.
    ``content_type`` overrides the type found only when the content shows none.
    """
    session = session or db.session()
    stream = _seekable(data)
    checked = checks.check(filename, stream, max_pixels())
    try:
        written = files_storage().save(stream, limit=max_size())
    except storage.TooLarge as error:
        raise too_large(checked.original_name) from error
    watch(session)
    if written.created:
        session.info.setdefault(CREATED, set()).add(written.sha256)
    position = session.execute(
        select(func.coalesce(func.max(Attachment.position), -1) + 1)
        .where(Attachment.entity == _key(entity), Attachment.record_id == record_id, Attachment.kind == kind)
    ).scalar_one()
    typed = checked.content_type
    if content_type and typed == "application/octet-stream":
        typed = content_type
    row = Attachment(entity=_key(entity), record_id=record_id, kind=kind, position=position, sha256=written.sha256,
                     size=written.size, content_type=typed, filename=checked.filename,
                     original_name=checked.original_name, title=title, width=checked.width, height=checked.height,
                     created_by_id=getattr(user, "id", None))
    session.add(row)
    session.flush()
    session.info.setdefault(ADDED, set()).add(written.sha256)
    announce("after_create", row, user)
    return row


def announce(event: str, row: Attachment, user: Any) -> None:
    """Tell plugins (the ``attachment_event`` hook), inside the caller's transaction."""
    current_app.extensions["crmkit"].pm.hook.attachment_event(event=event, attachment=row, entity_key=row.entity, user=user)


def too_large(name: str) -> checks.Refused:
    return checks.Refused(_("“%(name)s” is larger than %(limit)s.", name=name, limit=human_size(max_size())), 413)


def too_large_upload() -> str:
    return _("The upload is larger than allowed: at most %(limit)s a file.", limit=human_size(max_size()))


def human_size(size: int) -> str:
    for unit, factor in ((_("GB"), 1024**3), (_("MB"), 1024**2), (_("KB"), 1024)):
        if size >= factor:
            return f"{format_decimal(round(size / factor, 1))} {unit}"
    return f"{size} {_('B')}"



def open_blob(attachment: Attachment) -> IO[bytes]:
    """The attachment's bytes as a binary stream (close it when done); FileNotFoundError if gone."""
    return files_storage().open(attachment.sha256)


def attachments_of(entity: Any, record_id: int, kind: str | None = None, session: Session | None = None) -> list[Attachment]:
    """A record's attachments in their order (of one ``kind`` when given); read through the index."""
    statement = select(Attachment).where(Attachment.entity == _key(entity), Attachment.record_id == record_id)
    if kind is not None:
        statement = statement.where(Attachment.kind == kind)
    statement = statement.order_by(Attachment.kind, Attachment.position, Attachment.id).limit(1000)
    return list((session or db.session()).execute(statement).scalars())


def detach(attachment: Attachment, session: Session | None = None, user: Any = None) -> None:
    """Delete the row; its blob goes after the commit unless another row holds the same bytes."""
    session = session or db.session()
    announce("before_delete", attachment, user)
    watch(session)
    session.info.setdefault(RELEASED, set()).add(attachment.sha256)
    session.delete(attachment)
    session.flush()


def set_archived(entity: Any, record_id: int, archived: bool, session: Session | None = None) -> None:
    """Mark a record's attachments archived with it, or live again when it is restored."""
    from sqlalchemy import update

    (session or db.session()).execute(
        update(Attachment).where(Attachment.entity == _key(entity), Attachment.record_id == record_id)
        .values(archived_at=utcnow() if archived else None)
    )


# the session's events
def watch(session: Session) -> None:
    if not event.contains(session, "before_commit", _before_commit):
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    session.info["crmkit.files.app"] = current_app._get_current_object()


def _before_commit(session: Session) -> None:
    app = session.info.get("crmkit.files.app")
    blobs = files_storage(app)
    missing = [sha for sha in session.info.get(ADDED, ()) if not blobs.exists(sha)]
    if missing:
        raise RuntimeError(f"attachment blobs vanished before the commit: {', '.join(missing)}")


def _after_commit(session: Session) -> None:
    session.info.pop(CREATED, None)
    session.info.pop(ADDED, None)
    released = session.info.pop(RELEASED, set())
    if released:
        remove_unused(session, released)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is not None:
        return
    created = session.info.pop(CREATED, set())
    session.info.pop(ADDED, None)
    session.info.pop(RELEASED, None)
    if created:
        remove_unused(session, created)


def remove_unused(session: Session, shas: set[str]) -> None:
    """Delete the blobs (and thumbnails) of ``shas`` that no committed row uses, on a new connection."""
    app = session.info.get("crmkit.files.app")
    with session.get_bind().connect() as connection:
        used = set(connection.execute(select(Attachment.sha256).where(Attachment.sha256.in_(sorted(shas)))).scalars())
    blobs = files_storage(app)
    for sha in shas - used:
        blobs.delete(sha)
        from crmkit.core.files import thumbs

        for size in thumbs.SIZES:
            blobs.delete(storage.thumb_name(sha, size))
