"""A big import leaves its table analysed, so the lists that follow walk their sort index
instead of sorting every row (see benchmarks/FINDINGS.md, "The list reads every row")."""

from __future__ import annotations

from sqlalchemy import text

from crmkit import db
from crmkit.core.transfer.importer import ANALYZE_AFTER
from tests.conftest import add_user


def statistics_of(app, table: str) -> bool:
    with app.app_context():
        session = db.session()
        if session.get_bind().dialect.name == "postgresql":
            query = "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = :t AND schemaname = current_schema()"
            return bool(session.execute(text(query), {"t": table}).scalar())
        exists = session.execute(text("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")).scalar()
        return bool(exists) and bool(session.execute(text("SELECT count(*) FROM sqlite_stat1 WHERE tbl = :t"), {"t": table}).scalar())


def import_people(app, tmp_path, count: int):
    path = tmp_path / "people.csv"
    path.write_text("name\n" + "".join(f"Person {n}\n" for n in range(count)), encoding="utf-8")
    return app.test_cli_runner().invoke(args=["import", "person", str(path)])


def test_an_import_of_many_records_refreshes_the_tables_statistics(app, tmp_path):
    add_user(app, is_admin=True, name="Admin")
    assert not statistics_of(app, "contacts_person")
    result = import_people(app, tmp_path, ANALYZE_AFTER)
    assert result.exit_code == 0, result.output
    assert statistics_of(app, "contacts_person")


def test_a_small_import_leaves_the_statistics_alone(app, tmp_path):
    add_user(app, is_admin=True, name="Admin")
    result = import_people(app, tmp_path, 3)
    assert result.exit_code == 0, result.output
    assert not statistics_of(app, "contacts_person")
