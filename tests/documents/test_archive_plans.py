"""The archive's pages read one range of an index on both engines, without sorting the table:
sorted by number (either way), filtered by a rare status, filtered by a rare type (a common one
PostgreSQL rightly reads newest first through the primary key); so a page costs the same at a
million documents as at a thousand (benchmarks/measures/documents.py measures it)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, insert

from crmkit import db, statistics
from crmkit.core.documents.models import Document
from crmkit.testing.accounts import login

pytestmark = pytest.mark.crmkit_fresh_database  # asserts query plans: a schema no earlier test used


def archive(app, count: int = 600) -> None:
    rows = [{"version": 1, "extra": {}, "title": f"Акт {n}", "doc_type": "other" if n % 64 == 0 else "act",
             "number": f"АКТ-2026-{n:04d}", "doc_version": 1, "status": "signed" if n % 64 == 1 else ("draft", "sent")[n % 2], "language": "ru",
             "filename": ""} for n in range(count)]
    with app.app_context():
        session = db.session()
        session.execute(insert(Document.__table__), rows)
        statistics.refresh(session.connection(), ["documents_document"])
        session.commit()


def page_selects(app, client, url: str) -> list[tuple[str, object]]:
    engine, found = db.engine_of(app), []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM documents_document" in statement and "ORDER BY" in statement and "count(" not in statement:
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return found


def plan_of(app, statement: str, parameters) -> list[str]:
    """The plan's lines; PostgreSQL is kept from the table scan it would pick for so few rows."""
    engine = db.engine_of(app)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]


@pytest.mark.parametrize(("url", "index"), [
    ("/document/?sort=number", "ix_documents_document_by_number"),
    ("/document/?sort=-number", "ix_documents_document_by_number"),
    ("/document/?status=signed", "ix_documents_document_status"),
    ("/document/?doc_type=other", "ix_documents_document_doc_type"),
])
def test_an_archive_page_reads_one_index_without_a_sort(docs_app, url, index):
    archive(docs_app)
    client = docs_app.test_client()
    assert login(client).status_code == 302
    [(statement, parameters)] = page_selects(docs_app, client, url)
    plan = plan_of(docs_app, statement, parameters)
    assert any(index in step for step in plan), plan
    assert not any("TEMP B-TREE" in step or "Sort" in step for step in plan), plan
