"""How an import writes: rows through the compiled-once INSERT read back exactly as SQLAlchemy's
own insert writes them, on every engine; the garbage collector rests while a chunk is written;
a record and its history entry carry one timestamp."""

from __future__ import annotations

import gc
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from crmkit import db
from crmkit.core.contacts.models import Person
from crmkit.core.transfer.bulk import Inserter, paused_gc
from crmkit.entities.history import Change
from tests.conftest import add_user

STAMP = datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=UTC)


def person_row(name: str, **values):
    row = {column.key: None for column in Person.__table__.columns if column.key != "id"}
    row.update(version=1, created_at=STAMP, updated_at=STAMP, extra={}, phones_typed={}, is_client=False,
               is_prospect=False, is_supplier=False, is_partner=False, is_competitor=False, name=name)
    row.update(values)
    return row


def read_back(session, table):
    columns = [c for c in table.columns if c.key != "id"]
    return [tuple(row) for row in session.execute(select(*columns).order_by(table.c.id))]


def test_rows_read_back_as_sqlalchemys_insert_writes_them(app):
    user = add_user(app, is_admin=True, name="Admin")
    rows = [
        person_row("Ахметова Айгерим", owner_id=user.id, phone="+77011234567", birthday=date(1990, 5, 17),
                   phones_typed={"+77011234567": "8 (701) 123-45-67"}, extra={"custom": {"ключ": [1, "два"]}},
                   is_client=True, tags="vip, «опт»"),
        person_row("O'Brien", owner_id=None, email="o'brien@example.kz", archived_at=STAMP, description="a\nb"),
    ]
    table = Person.__table__
    with app.app_context():
        session = db.session()
        session.execute(insert(table), rows)
        expected = read_back(session, table)
        session.execute(table.delete())
        inserter = Inserter(session, table)
        inserter.insert(rows)
        assert read_back(session, table) == expected
        assert inserter.plan(tuple(rows[0])) is not None  # written by the driver, not by SQLAlchemy
        session.rollback()


def test_a_column_default_is_filled_in_as_sqlalchemy_fills_it(app):
    table = Table("bulk_defaults", MetaData(), Column("id", Integer, primary_key=True),
                  Column("name", String(20)), Column("n", Integer, default=7))
    with app.app_context():
        session = db.session()
        table.create(session.connection())
        inserter = Inserter(session, table)
        inserter.insert([{"name": "a"}, {"name": "b"}])
        assert session.execute(select(table.c.name, table.c.n).order_by(table.c.id)).all() == [("a", 7), ("b", 7)]
        assert inserter.plan(("name",)) is None  # SQLAlchemy's insert, which knows the default
        session.rollback()


def test_each_rows_values_are_matched_to_columns_by_name_not_order(app):
    table = Table("bulk_mixed", MetaData(), Column("id", Integer, primary_key=True),
                  Column("name", String(20)), Column("note", String(20)))
    with app.app_context():
        session = db.session()
        table.create(session.connection())
        Inserter(session, table).insert([{"name": "a", "note": "x"}, {"note": "y", "name": "b"}])
        assert session.execute(select(table.c.name, table.c.note).order_by(table.c.id)).all() == [("a", "x"), ("b", "y")]
        session.rollback()


def test_the_collector_rests_inside_and_is_back_after_even_after_an_error():
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), paused_gc():
        assert not gc.isenabled()
        1 / 0  # noqa: B018 - the error is the point
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_program_stays_off():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_an_imported_records_history_entry_carries_its_creation_time(app, tmp_path):
    add_user(app, is_admin=True, name="Admin")
    path = tmp_path / "people.csv"
    path.write_text("name,phone\nАсель,8 701 123 45 67\nБолат,+7 916 123 45 67\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", "person", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        created = dict(session.execute(select(Person.id, Person.created_at)).all())
        entries = session.execute(select(Change.record_id, Change.at).where(Change.entity == "person")).all()
        assert sorted(record_id for record_id, _at in entries) == sorted(created)
        assert all(at == created[record_id] for record_id, at in entries)
