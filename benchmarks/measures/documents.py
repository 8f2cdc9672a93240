"""The document archive: its list (newest first), sorted by number, filtered by status and by a
rare type, and a document's page, each beside the raw SQL of the same rows; over one document per
contact of the size. None may grow with the table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from benchmarks import core
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.documents.models import Document

PAGE_TARGET_MS = 150.0
BATCH = 20_000
STATUSES = ("draft", "sent", "signed")
LIST_SQL = "SELECT * FROM documents_document WHERE archived_at IS NULL ORDER BY id DESC LIMIT 51"
STATUS_SQL = "SELECT * FROM documents_document WHERE archived_at IS NULL AND status = 'signed' ORDER BY id DESC LIMIT 51"
NUMBER_SQL = "SELECT * FROM documents_document WHERE archived_at IS NULL ORDER BY number, id LIMIT 51"
TYPE_SQL = "SELECT * FROM documents_document WHERE archived_at IS NULL AND doc_type = 'other' ORDER BY id DESC LIMIT 51"


def fill(ctx) -> int:
    """The id of the newest document; the rows are inserted once per size."""
    with ctx.app.app_context():
        session = db.session()
        newest = session.execute(select(Document.id).order_by(Document.id.desc()).limit(1)).scalar()
        if newest is not None:
            return newest
        people = session.execute(text("SELECT id FROM contacts_person ORDER BY id LIMIT :n"), {"n": ctx.size}).all()
        start, rows = datetime.now(UTC) - timedelta(days=365), []
        for index, (person_id,) in enumerate(people):
            at = start + timedelta(seconds=index * 30)
            kind = "other" if index % 100 == 7 else "offer"  # a rare type, for its filter
            rows.append({"version": 1, "owner_id": None, "created_by_id": None, "created_at": at, "updated_at": at,
                         "archived_at": None, "extra": {}, "title": f"Коммерческое предложение {index}", "doc_type": kind,
                         "number": f"КП-{at.year}-{index + 1:07d}", "doc_version": 1, "doc_date": at.date(),
                         "status": STATUSES[index % 3], "language": "ru", "entity": "person", "record_id": person_id,
                         "person_id": person_id, "filename": f"КП-{at.year}-{index + 1:07d}.pdf", "total": 100000 + index,
                         "currency": "KZT"})
            if len(rows) == BATCH:
                session.execute(insert(Document.__table__), rows)
                rows = []
        if rows:
            session.execute(insert(Document.__table__), rows)
        session.commit()
        return fill(ctx)


@core.measurement("documents", order=69)
def archive_pages(ctx):
    newest = fill(ctx)
    target = f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k"
    row = with_baseline(ctx, "documents", "document archive, newest first (admin)", ["/document/"],
                        [[(LIST_SQL, {})]], "raw SQL of the page's rows", target=target)
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "documents", "document archive, signed only (admin)", ["/document/?status=signed"],
                        [[(STATUS_SQL, {})]], "raw SQL of the page's rows", target=target)
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "documents", "document archive, sorted by number (admin)", ["/document/?sort=number"],
                        [[(NUMBER_SQL, {})]], "raw SQL of the page's rows", target=target)
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "documents", "document archive, a rare type: 1 in 100 (admin)", ["/document/?doc_type=other"],
                        [[(TYPE_SQL, {})]], "raw SQL of the page's rows", target=target)
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "documents", "a document's page (admin)", [f"/document/{newest}"],
                        [[("SELECT * FROM documents_document WHERE id = :id", {"id": newest})]], "raw SQL of the row",
                        target=f"p50 < {PAGE_TARGET_MS:g} ms")
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
