"""The test fixtures' copies of a migrated database (crmkit.testing.migrated) are what Alembic makes."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import inspect, text

from crmkit import db
from crmkit.app import create_app
from crmkit.migrate import upgrade_all
from crmkit.plugin_state import set_enabled
from crmkit.testing.databases import SCHEMA_DROPS
from crmkit.testing.migrated import MigratedDatabases
from crmkit.testing.schema_pool import SCHEMA_POOL
from tests.conftest import TEST_SECRET, own_database
from tests.plugins.projects import hooks as projects


def app_on(url, plugins=()):
    settings = {"TESTING": True, "SECRET_KEY": TEST_SECRET, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False}
    return create_app(settings, plugins=plugins)


def index_text(index: dict) -> str:
    """An index as text; a partial index's condition as its SQL, not the clause object's address."""
    options = {name: str(value) for name, value in index.get("dialect_options", {}).items()}
    return str({**index, "dialect_options": options})


def described(engine) -> dict:
    """Every table's columns, keys, indexes and rows; on PostgreSQL also triggers and sequences."""
    inspector = inspect(engine)
    found = {}
    with engine.connect() as connection:
        for table in sorted(inspector.get_table_names()):
            found[table] = {
                "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default"))) for c in inspector.get_columns(table)],
                "primary key": inspector.get_pk_constraint(table)["constrained_columns"],
                "foreign keys": sorted(str(fk) for fk in inspector.get_foreign_keys(table)),
                "indexes": sorted(index_text(ix) for ix in inspector.get_indexes(table)),
                "unique": sorted(str(uq) for uq in inspector.get_unique_constraints(table)),
                "checks": sorted(str(ck) for ck in inspector.get_check_constraints(table)),
                "rows": sorted(repr(tuple(row)) for row in connection.execute(text(f'SELECT * FROM "{table}"'))),
            }
        if engine.dialect.name == "postgresql":
            here = "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())"
            # A trigger's definition names its table with the schema, which differs between two tests.
            schema = connection.execute(text("SELECT current_schema()")).scalar()
            found["triggers"] = [(name, definition.replace(f"{schema}.", "")) for name, definition in connection.execute(text(
                f"SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                f"WHERE c.relnamespace = {here} AND NOT t.tgisinternal ORDER BY 1"
            ))]
            found["sequences"] = connection.execute(text(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1"
            )).all()
            found["functions"] = connection.execute(text(
                f"SELECT proname, prosrc FROM pg_proc WHERE pronamespace = {here} ORDER BY 1"
            )).all()
    return found


@pytest.fixture
def urls(tmp_path):
    with own_database(tmp_path, "first") as first, own_database(tmp_path, "copy") as copy, own_database(tmp_path, "plain") as plain:
        yield first, copy, plain


@pytest.mark.parametrize("plugins", [(), (projects,)], ids=["core", "with a plugin"])
def test_a_copy_is_the_database_alembic_makes(tmp_path, urls, plugins):
    databases = MigratedDatabases(tmp_path)
    first, copy, plain = (app_on(url, plugins) for url in urls)
    lineages = first.extensions["crmkit"].lineages
    databases.upgrade(db.engine_of(first), lineages)  # Alembic, kept for the next ones
    databases.upgrade(db.engine_of(copy), lineages)
    upgrade_all(db.engine_of(plain), lineages)
    try:
        assert described(db.engine_of(copy)) == described(db.engine_of(plain))
        assert databases.sqlite_files or any(databases.statements.values()), "the copy was migrated by Alembic"
    finally:
        for app in (first, copy, plain):
            db.engine_of(app).dispose()


def test_a_database_that_is_not_empty_is_upgraded_in_place(tmp_path, urls):
    databases = MigratedDatabases(tmp_path)
    core, with_plugin = app_on(urls[0]), app_on(urls[0], plugins=[projects])
    databases.upgrade(db.engine_of(core), core.extensions["crmkit"].lineages)
    set_enabled(db.engine_of(core), "elsewhere", True)
    databases.upgrade(db.engine_of(with_plugin), with_plugin.extensions["crmkit"].lineages)
    try:
        with db.engine_of(with_plugin).connect() as connection:
            assert connection.execute(text("SELECT name FROM core_plugin_state")).scalars().all() == ["elsewhere"]
            assert connection.execute(text("SELECT count(*) FROM projects_project")).scalar() == 0
    finally:
        for app in (core, with_plugin):
            db.engine_of(app).dispose()


postgresql_only = pytest.mark.skipif(
    not os.environ.get("CRMKIT_TEST_DATABASE_URL"), reason="schemas are recycled on PostgreSQL; SQLite copies a file")


def schema_of(app) -> str:
    with db.engine_of(app).connect() as connection:
        return connection.execute(text("SELECT current_schema()")).scalar()


def migrated(databases: MigratedDatabases, url: str, recycled: bool = True):
    """An app of the core on ``url``, migrated as the test fixtures migrate."""
    app = app_on(url)
    databases.upgrade(db.engine_of(app), app.extensions["crmkit"].lineages, recycled=recycled)
    return app


def waiting_schemas() -> int:
    return sum(len(kind.waiting) for kind in SCHEMA_POOL.kinds.values())


@postgresql_only
def test_a_recycled_schema_is_the_database_alembic_makes(tmp_path):
    databases = MigratedDatabases(tmp_path)
    with own_database(tmp_path, "used") as used:
        first = migrated(databases, used)
        with db.engine_of(first).begin() as connection:  # a test's rows, and a row the migrations wrote changed
            connection.execute(text("INSERT INTO core_office (name, address) VALUES ('Almaty', 'Abay 1'), ('Astana', 'Kabanbay 2')"))
            connection.execute(text("UPDATE core_role SET label = 'Boss' WHERE name = 'admin'"))
            connection.execute(text("DELETE FROM core_role WHERE name = 'agent'"))
        db.engine_of(first).dispose()
    SCHEMA_DROPS.wait()  # the end of a test: its schema is recycled in the background
    assert waiting_schemas() >= 1
    with own_database(tmp_path, "again") as again, own_database(tmp_path, "plain") as plain:
        second, alembic = migrated(databases, again), app_on(plain)
        upgrade_all(db.engine_of(alembic), alembic.extensions["crmkit"].lineages)
        try:
            assert described(db.engine_of(second)) == described(db.engine_of(alembic))
        finally:
            for app in (second, alembic):
                db.engine_of(app).dispose()


@postgresql_only
def test_a_schema_whose_structure_a_test_changed_is_dropped_not_recycled(tmp_path):
    databases = MigratedDatabases(tmp_path)
    with own_database(tmp_path, "changed") as changed:
        first = migrated(databases, changed)
        schema = schema_of(first)
        with db.engine_of(first).begin() as connection:
            connection.execute(text("ALTER TABLE core_office ADD COLUMN motto text"))
        db.engine_of(first).dispose()
        waiting = waiting_schemas()
    SCHEMA_DROPS.wait()
    assert waiting_schemas() == waiting
    with own_database(tmp_path, "next") as following:
        second = migrated(databases, following)
        try:
            with db.engine_of(second).connect() as connection:
                assert "motto" not in {c["name"] for c in inspect(connection).get_columns("core_office")}
                gone = connection.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar()
            assert gone == 0
        finally:
            db.engine_of(second).dispose()


@postgresql_only
def test_a_database_asked_fresh_is_never_a_recycled_schema(tmp_path):
    databases = MigratedDatabases(tmp_path)
    with own_database(tmp_path, "used") as used:
        first = migrated(databases, used)
        db.engine_of(first).dispose()
    SCHEMA_DROPS.wait()
    waiting = waiting_schemas()
    assert waiting >= 1
    with own_database(tmp_path, "fresh") as fresh:
        second = migrated(databases, fresh, recycled=False)
        db.engine_of(second).dispose()
        assert waiting_schemas() == waiting
