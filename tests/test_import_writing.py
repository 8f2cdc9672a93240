"""How an import writes its chunks: bind processing once per distinct value object, the duplicate
check's values as one array parameter on PostgreSQL, every row of every chunk fully indexed."""

from __future__ import annotations

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.contacts.models import Channel, Person
from crmkit.core.transfer.bulk import processed
from crmkit.core.transfer.importer import Importer
from crmkit.db import among
from crmkit.entities.history import Change
from crmkit.search.models import SearchDocument
from tests.conftest import add_user


def test_bind_processing_runs_once_per_distinct_object():
    calls = []
    stamp, other = object(), object()

    def process(value):
        calls.append(value)
        return id(value)

    assert processed(process, [stamp, stamp, other, stamp]) == [id(stamp), id(stamp), id(other), id(stamp)]
    assert calls == [stamp, other]


def test_equal_values_that_are_different_objects_are_each_processed():
    calls = []
    processed(calls.append, [{}, {}])
    assert len(calls) == 2


def test_the_duplicate_check_sends_its_values_as_one_array_on_postgresql(app):
    with app.app_context():
        session = db.session()
        condition = among(Person.__table__.c.phone, {f"+7701000{n:04d}" for n in range(3000)}, session.get_bind().dialect.name)
        sql = str(condition.compile(dialect=session.get_bind().dialect))
        if session.get_bind().dialect.name == "postgresql":
            assert "= ANY" in sql and sql.count("%(") == 1
        else:
            assert " IN " in sql


def test_a_file_of_many_chunks_gives_every_row_its_record_history_search_entry_and_phones(app):
    user = add_user(app, is_admin=True, name="Admin")
    rows = [(n + 2, [f"Человек {n}", f"+7 701 {n:03d} 00 00", f"p{n}@example.kz"]) for n in range(250)]
    rows.append((252, ["Человек 3 снова", "+7 701 003 00 00", ""]))  # the fourth row again, by phone
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("person")
        importer = Importer(entity, session.merge(user), session, {"0": "name", "1": "phone", "2": "email"})
        outcome = importer.run(rows, chunk_size=100)
        assert (outcome.created, outcome.skipped, outcome.errors) == (250, 1, [])

        def count(model, *where):
            return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()

        assert count(Person) == 250
        assert count(Change, Change.entity == "person", Change.action == "create") == 250
        assert count(SearchDocument, SearchDocument.entity == "person") == 250
        assert count(Channel, Channel.entity == "person") == 500
