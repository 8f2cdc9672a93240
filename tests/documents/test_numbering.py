"""Document numbers per type and year: "КП-2026-0001", gap-free, one number per document even when
many are taken at once (threads on PostgreSQL), and a rolled-back document gives its number back."""

from __future__ import annotations

import threading

import pytest

from crmkit import db
from crmkit.core.documents import numbering


def take(app, doc_type="offer", year=2026, commit=True) -> str:
    with app.app_context():
        session = db.session()
        number = numbering.next_number(session, doc_type, year)
        session.commit() if commit else session.rollback()
        return number


def test_numbers_count_per_type_and_year(docs_app):
    assert [take(docs_app) for _ in range(3)] == ["КП-2026-0001", "КП-2026-0002", "КП-2026-0003"]
    assert take(docs_app, "contract") == "ДГ-2026-0001"
    assert take(docs_app, "offer", 2027) == "КП-2027-0001"


def test_a_rolled_back_number_is_given_again(docs_app):
    assert take(docs_app) == "КП-2026-0001"
    assert take(docs_app, commit=False) == "КП-2026-0002"
    assert take(docs_app) == "КП-2026-0002"


def test_numbers_taken_at_once_are_distinct_and_leave_no_gap(docs_app):
    if docs_app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("threads writing at once: PostgreSQL's row lock is what is tested")
    taken: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            for _ in range(10):
                taken.append(take(docs_app))
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(taken) == [f"КП-2026-{n:04d}" for n in range(1, 81)]
