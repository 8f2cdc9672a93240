"""Storage: a SQLite file in the instance folder by default (WAL, foreign keys, a busy timeout),
PostgreSQL through psycopg 3 for teams, and the same app end to end on either.
"""

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import exc, inspect, text

from crmkit import db
from crmkit.app import create_app
from crmkit.cli import cli as crmkit_cli
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, login
from tests.plugins.install import install_hello, site  # noqa: F401 - site is a fixture

ON_POSTGRESQL = bool(os.environ.get("CRMKIT_TEST_DATABASE_URL"))
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="set CRMKIT_TEST_DATABASE_URL to run on PostgreSQL")


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    """crmkit as an operator runs it: configured by CRMKIT_* variables, commands in English."""
    monkeypatch.delenv("CRMKIT_DATABASE_URL", raising=False)
    monkeypatch.setenv("CRMKIT_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("CRMKIT_LOCALE", "en")
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "")  # FlaskGroup sets it; let monkeypatch restore it


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """An app on a SQLite file, whatever database the rest of the suite runs on."""
    return make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")


def pragma(app, name):
    with db.engine_of(app).connect() as conn:
        return conn.exec_driver_sql(f"PRAGMA {name}").scalar()


def crmkit(*args):
    return CliRunner().invoke(crmkit_cli, list(args))


# SQLite by default


def test_default_database_is_a_sqlite_file_in_the_instance_folder(make_app, instance_path):
    app = make_app(DATABASE_URL=None)
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'crmkit.sqlite3'}"
    assert "core_user" in inspect(db.engine_of(app)).get_table_names()
    assert (instance_path / "crmkit.sqlite3").is_file()


def test_crmkit_instance_path_moves_the_instance_folder_and_its_database(tmp_path, monkeypatch, make_app):
    elsewhere = tmp_path / "srv" / "crm"
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(elsewhere))
    app = make_app(DATABASE_URL=None)
    assert app.instance_path == str(elsewhere)
    assert (elsewhere / "crmkit.sqlite3").is_file()


def test_crmkit_database_url_from_the_environment_is_used(tmp_path, monkeypatch, make_app):
    path = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("CRMKIT_DATABASE_URL", f"sqlite:///{path}")
    app = create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False})
    assert str(db.engine_of(app).url) == f"sqlite:///{path}"
    db.engine_of(app).dispose()


def test_sqlite_runs_in_wal_journal_mode(sqlite_app):
    assert pragma(sqlite_app, "journal_mode") == "wal"


def test_sqlite_enforces_foreign_keys(sqlite_app):
    assert pragma(sqlite_app, "foreign_keys") == 1


def test_sqlite_waits_for_a_lock_instead_of_failing_at_once(sqlite_app):
    assert pragma(sqlite_app, "busy_timeout") >= 1000


def test_sqlite_pragmas_hold_on_every_pooled_connection(sqlite_app):
    engine = db.engine_of(sqlite_app)
    with engine.connect() as first, engine.connect() as second:
        assert [c.exec_driver_sql("PRAGMA foreign_keys").scalar() for c in (first, second)] == [1, 1]


def test_sqlite_refuses_a_row_pointing_at_a_missing_parent(sqlite_app):
    with db.engine_of(sqlite_app).begin() as conn:
        conn.exec_driver_sql("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        conn.exec_driver_sql("CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent (id))")
    with pytest.raises(exc.IntegrityError), db.engine_of(sqlite_app).begin() as conn:
        conn.exec_driver_sql("INSERT INTO child (parent_id) VALUES (42)")


# PostgreSQL URLs


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://crm:pw@db.example:5432/crm", "postgresql+psycopg://crm:pw@db.example:5432/crm"),
        ("postgresql://crm:pw@db.example/crm?sslmode=require", "postgresql+psycopg://crm:pw@db.example/crm?sslmode=require"),
        ("postgresql+psycopg://crm@db.example/crm", "postgresql+psycopg://crm@db.example/crm"),
        ("sqlite:////var/lib/crmkit/crmkit.sqlite3", "sqlite:////var/lib/crmkit/crmkit.sqlite3"),
    ],
)
def test_database_urls_are_normalised_to_psycopg_3(given, expected):
    assert db.normalise_url(given) == expected


@pytest.mark.parametrize("scheme", ["postgres", "postgresql"])
def test_postgresql_engines_use_the_psycopg_3_driver(scheme):
    engine = db.make_engine(f"{scheme}://crm@db.example/crm")  # nothing connects until used
    assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg")


@postgresql_only
def test_a_postgres_url_in_the_environment_reaches_postgresql_through_psycopg_3(database_url, monkeypatch):
    assert database_url.startswith("postgresql+psycopg://")
    monkeypatch.setenv("CRMKIT_DATABASE_URL", "postgres://" + database_url.removeprefix("postgresql+psycopg://"))
    app = create_app({"TESTING": True, "LOAD_ENTRY_POINTS": False})
    assert app.config["DATABASE_URL"] == database_url
    with db.engine_of(app).connect() as conn:
        assert conn.execute(text("SELECT current_setting('server_version_num')::int")).scalar() > 0
    assert db.engine_of(app).dialect.driver == "psycopg"
    db.engine_of(app).dispose()


# End to end: init, enable a plugin, use it, log in, look at the plugins page


def run_end_to_end(site, monkeypatch):  # noqa: F811
    install_hello(site)
    monkeypatch.setenv("CRMKIT_ADMIN_EMAIL", ADMIN_EMAIL)
    monkeypatch.setenv("CRMKIT_ADMIN_PASSWORD", ADMIN_PASSWORD)
    init = crmkit("init")
    assert init.exit_code == 0, init.output
    assert f"administrator: {ADMIN_EMAIL}" in init.output
    assert crmkit("plugins", "enable", "hello").exit_code == 0
    assert crmkit("hello", "greet", "Aigerim").output == "Hello, Aigerim!\n"
    assert "hello:" in crmkit("db", "current").output and "needs upgrade" not in crmkit("db", "current").output
    assert crmkit("db", "check").exit_code == 0

    app = create_app({"TESTING": True})
    client = app.test_client()
    assert login(client).status_code == 302
    plugins = {p["name"]: p for p in client.get("/admin/plugins.json").get_json()["plugins"]}
    assert plugins["hello"]["active"] and plugins["hello"]["migration"] == "4b0384fd1f6f"
    with db.engine_of(app).connect() as conn:
        assert conn.execute(text("SELECT name FROM hello_greeting")).scalars().all() == ["Aigerim"]
    db.engine_of(app).dispose()
    return app


def test_crmkit_works_end_to_end_on_sqlite_in_the_instance_folder(site, instance_path, monkeypatch):  # noqa: F811
    app = run_end_to_end(site, monkeypatch)
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'crmkit.sqlite3'}"


@postgresql_only
def test_crmkit_works_end_to_end_on_postgresql(site, database_url, monkeypatch):  # noqa: F811
    monkeypatch.setenv("CRMKIT_DATABASE_URL", "postgres://" + database_url.removeprefix("postgresql+psycopg://"))
    app = run_end_to_end(site, monkeypatch)
    assert db.engine_of(app).dialect.name == "postgresql"
