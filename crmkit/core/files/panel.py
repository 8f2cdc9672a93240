"""The attachments panel on every record's page and the record's timeline entries for its files.
Both read one record's rows through an index (``ix_files_attachment_record``, ``..._timeline``)."""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from crmkit import db
from crmkit.core.files import access, uploads
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import attachments_of, human_size, max_size
from crmkit.core.timeline import Cursor, TimelineEntry
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import Panel

SOURCE = "files.attached"
KIND_LABELS = {"file": _l("Files"), "photo": _l("Photos"), "document": _l("Documents")}


def panel(entity: Any, record: Any, user: Any) -> Panel | None:
    records = Records(entity, user)
    if not records.can("view"):
        return None
    rows = attachments_of(entity, record.id, session=records.db)
    groups: dict[str, list[Attachment]] = {}
    for row in rows:
        groups.setdefault(row.kind, []).append(row)
    return Panel(_l("Attachments"), "files/panel.html", {
        "entity": entity, "record": record, "groups": groups, "kind_labels": KIND_LABELS,
        "can_edit": access.may_edit(records, record), "human_size": human_size,
        "max_mb": f"{max_size() / (1024 * 1024):g}", "limit": human_size(max_size()), "max_files": uploads.MAX_FILES,
    }, order=40)


def timeline_entries(entity: Any, record: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    statement = select(Attachment).where(Attachment.entity == entity.key, Attachment.record_id == record.id)
    if before is not None:
        statement = statement.where(before.condition(Attachment.created_at, Attachment.id, SOURCE))
    statement = statement.order_by(Attachment.created_at.desc(), Attachment.id.desc()).limit(limit)
    return [entry(row) for row in db.session().execute(statement).scalars()]


def entry(row: Attachment) -> TimelineEntry:
    return TimelineEntry(
        at=row.created_at, kind="files", title=_("File attached: %(name)s", name=row.original_name),
        source=SOURCE, source_id=row.id, url=url_for("files.view", attachment_id=row.id), label=_("File"),
        details=((_("File size"), human_size(row.size)),), item=row)
