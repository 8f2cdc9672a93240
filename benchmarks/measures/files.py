"""Attachments: a busy contact's page (its Attachments panel with 24 photos and their timeline
entries), the viewer of one photo and the REST API's list of its files, each beside the raw SQL of
the same rows; over one attachment row per contact of the size (rows only: these pages read no
blob, thumbnails are requests of their own); and a document uploaded to the contact, which enters
the archive, beside the raw INSERTs. None may grow with the table."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, text

from benchmarks import core
from benchmarks.measures.pages import judged, with_baseline
from crmkit import api, db
from crmkit.core.auth.models import User
from crmkit.core.files.models import Attachment

PAGE_TARGET_MS = 150.0
LIST_TARGET_MS = 20.0
PHOTOS = 24
BATCH = 20_000
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PANEL_SQL = ("SELECT * FROM files_attachment WHERE entity = 'person' AND record_id = :id "
             "ORDER BY kind, position, id LIMIT 1000")
TIMELINE_SQL = ("SELECT * FROM files_attachment WHERE entity = 'person' AND record_id = :id "
                "ORDER BY created_at DESC, id DESC LIMIT 21")


def fill(ctx) -> tuple[int, int]:
    """The busy contact's id and their first photo's; the rows are inserted once per size."""
    busy = ctx.data.busy_person_id
    with ctx.app.app_context():
        session = db.session()
        first = session.execute(select(Attachment.id).where(Attachment.entity == "person", Attachment.record_id == busy)
                                .order_by(Attachment.kind, Attachment.position).limit(1)).scalar()
        if first is not None:
            return busy, first
        people = session.execute(text("SELECT id FROM contacts_person ORDER BY id LIMIT :n"), {"n": ctx.size}).all()
        start, rows = datetime.now(UTC) - timedelta(days=90), []
        for index, (person_id,) in enumerate(people):
            rows.append(row_of(person_id, index, start + timedelta(seconds=index * 7), "file", 0))
            if len(rows) == BATCH:
                session.execute(insert(Attachment.__table__), rows)
                rows = []
        rows += [row_of(busy, ctx.size + n, start + timedelta(days=80, minutes=n), "photo", n) for n in range(PHOTOS)]
        session.execute(insert(Attachment.__table__), rows)
        session.commit()
        return fill(ctx)


def row_of(person_id: int, index: int, at: datetime, kind: str, position: int) -> dict:
    photo = kind == "photo"
    return {"entity": "person", "record_id": person_id, "kind": kind, "position": position,
            "sha256": f"{index:064x}", "size": 250_000 + index % 1000,
            "content_type": "image/jpeg" if photo else "application/pdf",
            "filename": f"photo-{index}.jpg" if photo else f"contract-{index}.pdf",
            "original_name": f"photo-{index}.jpg" if photo else f"contract-{index}.pdf", "title": None,
            "width": 1600 if photo else None, "height": 1200 if photo else None, "created_by_id": None,
            "created_at": at, "archived_at": None}


@core.measurement("files", order=68)
def attachment_pages(ctx):
    busy, first = fill(ctx)
    label = "raw SQL of the panel's and the timeline's rows"
    sql = [[(PANEL_SQL, {"id": busy}), (TIMELINE_SQL, {"id": busy})]]
    row = with_baseline(ctx, "files", f"contact page with {PHOTOS} photos (admin)", [f"/person/{busy}"], sql, label,
                        target=f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k")
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "files", "photo viewer page (admin)", [f"/files/{first}"],
                        [[(PANEL_SQL, {"id": busy})]], "raw SQL of the record's files", target=f"p50 < {PAGE_TARGET_MS:g} ms")
    yield judged(row, "p50_ms", PAGE_TARGET_MS)
    row = with_baseline(ctx, "files", "REST API: a contact's attachments", [f"/api/v1/person/{busy}/attachments"],
                        [[(PANEL_SQL, {"id": busy})]], "raw SQL of the same rows", target=f"p50 < {LIST_TARGET_MS:g} ms")
    yield judged(row, "p50_ms", LIST_TARGET_MS)


    yield upload_row(ctx, busy)


def upload_row(ctx, busy: int) -> core.Row:
    """A document uploaded to the busy contact through ``api.attach_file`` (checked, stored, its
    row and, through the attachment_event hook, its numbered document in the archive, committed)
    beside the raw SQL of the same rows: the attachment, the sequence's next number, the document."""
    inputs = list(range(max(4, ctx.settings.samples)))
    with ctx.app.test_request_context():
        session = db.session()
        admin = session.get(User, ctx.data.admin_id)
        serial = itertools.count()

        def upload_one(_index: int) -> None:
            n = next(serial)
            api.attach_file("person", busy, PDF + f"{ctx.size}-{n}-{time.time_ns()}".encode(), f"scan-{n}.pdf",
                            kind="document", user=admin)
            session.commit()

        service = core.latency(core.sample(upload_one, inputs, ctx.settings.rounds))
    raw = core.latency(raw_uploads(ctx, busy, inputs))
    service["x_baseline_p50"] = round(service["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    row = ctx.row("files", "a document uploaded to a contact, entering the archive", service,
                  baseline_label="raw SQL: the attachment INSERT, the next number, the document INSERT, committed",
                  baseline=raw, target=f"p50 < {PAGE_TARGET_MS:g} ms; 1M within 1.5x of 10k")
    return judged(row, "p50_ms", PAGE_TARGET_MS)


def raw_uploads(ctx, busy: int, inputs: list[int]) -> core.Samples:
    engine, now = db.engine_of(ctx.app), datetime.now(UTC)
    attachment = text("INSERT INTO files_attachment (entity, record_id, kind, position, sha256, size, content_type, filename, "
                      "original_name, created_at) VALUES ('person', :id, 'raw', :n, :sha, 100, 'application/pdf', :name, "
                      ":name, :now)")
    sequence = text("UPDATE documents_sequence SET last = last + 1 WHERE doc_type = 'raw' AND year = 2000")
    document = text("INSERT INTO documents_document (version, created_at, updated_at, extra, title, doc_type, number, "
                    "doc_version, doc_date, status, language, entity, record_id, person_id, filename) VALUES (1, :now, "
                    ":now, '{}', :name, 'raw', :name, 1, :day, 'draft', 'ru', 'person', :id, :id, :name)")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO documents_sequence (doc_type, year, last) VALUES ('raw', 2000, 0)"))
    timings, serial = core.Samples(), itertools.count()
    for _ in range(ctx.settings.rounds):
        for _index in inputs:
            n = next(serial)
            values = {"id": busy, "n": n, "sha": f"{n:064x}", "name": f"raw-{n}.pdf", "now": now, "day": now.date()}
            cpu, began = time.thread_time(), time.perf_counter()
            with engine.begin() as connection:
                connection.execute(attachment, values)
                connection.execute(sequence)
                connection.execute(document, values)
            timings.append(time.perf_counter() - began)
            timings.cpu.append(time.thread_time() - cpu)
    with engine.begin() as connection:  # the raw rows go, so the pages measured later see the same table
        connection.execute(text("DELETE FROM documents_document WHERE doc_type = 'raw'"))
        connection.execute(text("DELETE FROM files_attachment WHERE kind = 'raw'"))
        connection.execute(text("DELETE FROM documents_sequence WHERE doc_type = 'raw'"))
    return timings


core.page("photo viewer", lambda ctx: f"/files/{fill(ctx)[1]}")
