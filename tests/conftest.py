"""Fixtures in the flaskr style: ``make_app(plugins=[...])``, ``app``, ``client``, ``runner``.

Tests run on SQLite in a temporary folder, or on PostgreSQL when CRMKIT_TEST_DATABASE_URL is set
(each test then gets a schema of its own, dropped afterwards). Alembic migrates once per session
for each set of plugins; later tests get a copy of its result (tests/migrated.py).
"""

from __future__ import annotations

import os
import re
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager

import pytest
from sqlalchemy import Engine, create_engine, make_url, text

from crmkit import db
from crmkit.app import create_app
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import create_user, find_user
from tests.migrated import MigratedDatabases

TEST_SECRET = "test-secret-key-used-only-by-the-test-suite"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "correct horse battery"


class SchemaDrops:
    """Schemas of finished tests, dropped by one background thread while the next tests run
    (a drop takes the server ~0.1-0.3 s); the session waits for the last ones and their errors."""

    def __init__(self):
        self.engines: dict[str, Engine] = {}
        self.pending: list[Future] = []
        self.pool: ThreadPoolExecutor | None = None

    def engine(self, url) -> Engine:
        """One engine per server. Its commits do not wait for the disk (see own_database), and a
        drop that a connection left open by a test blocks fails after a minute, naming it."""
        key = url.render_as_string(hide_password=False)
        if key not in self.engines:
            options = "-csynchronous_commit=off -clock_timeout=60s"
            self.engines[key] = create_engine(url.update_query_dict({"options": options}))
        return self.engines[key]

    def drop(self, engine: Engine, schema: str) -> None:
        self.pool = self.pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-schema")
        self.pending.append(self.pool.submit(drop_schema, engine, schema))

    def wait(self) -> None:
        done, self.pending = self.pending, []
        errors = [error for future in done if (error := future.exception())]
        if errors:
            raise errors[0]


def drop_schema(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


SCHEMA_DROPS = SchemaDrops()


@contextmanager
def own_database(folder, name: str = "test"):
    """An empty database: SQLite ``<name>.sqlite3`` in ``folder``, or a schema of its own on the
    PostgreSQL that CRMKIT_TEST_DATABASE_URL names, dropped afterwards (SchemaDrops).

    Its commits do not wait for the disk (synchronous_commit=off): what every session sees is the
    same, only a crash of the server could lose the last ones, and no test outlives that.
    """
    base = os.environ.get("CRMKIT_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    url = make_url(db.normalise_url(base))
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = SCHEMA_DROPS.engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        SCHEMA_DROPS.drop(engine, schema)


@pytest.fixture(autouse=True, scope="session")
def schemas_dropped():
    """Every test schema is gone before the session ends."""
    yield
    SCHEMA_DROPS.wait()
    for engine in SCHEMA_DROPS.engines.values():
        engine.dispose()


@pytest.fixture
def database_url(tmp_path):
    with own_database(tmp_path) as url:
        yield url


@pytest.fixture(autouse=True)
def shell_language(monkeypatch):
    """Commands answer in the shell's language; every test starts from a shell that names none."""
    for name in ("CRMKIT_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def instance_path(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(path))
    return path


@pytest.fixture(scope="session")
def migrated_databases(tmp_path_factory) -> MigratedDatabases:
    return MigratedDatabases(tmp_path_factory.mktemp("migrated"))


@pytest.fixture
def make_app(database_url, instance_path, migrated_databases):
    """Build an app with the given plugin modules on a migrated database of its own."""
    apps = []

    def factory(plugins=(), migrate=True, **config):
        settings = {
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET,
            "DATABASE_URL": database_url,
            "LOAD_ENTRY_POINTS": False,
            **config,
        }
        app = create_app(settings, plugins=plugins)
        apps.append(app)
        if migrate:
            migrated_databases.upgrade(db.engine_of(app), app.extensions["crmkit"].lineages)
        return app

    yield factory
    for app in apps:
        db.engine_of(app).dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def add_user(app, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, **fields):
    with app.app_context():
        return create_user(db.session(), email, password, **fields)


def token_client(app, email=ADMIN_EMAIL):
    """A test client whose requests carry a new API token of the user with ``email``."""
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), email), "tests")[1]
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def csrf_token(client, url="/login") -> str:
    """The CSRF token a page hands out, as a browser would read it from the form."""
    page = client.get(url).get_data(as_text=True)
    found = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def login(client, email=ADMIN_EMAIL, password=ADMIN_PASSWORD):
    return client.post("/login", data={"email": email, "password": password, "csrf_token": csrf_token(client)})


@pytest.fixture
def admin_client_for():
    """Log an admin into a new client of the given app."""

    def log_in(app):
        add_user(app, is_admin=True, name="Admin")
        client = app.test_client()
        assert login(client).status_code == 302
        return client

    return log_in


@pytest.fixture
def admin_client(app, admin_client_for):
    """A client of ``app`` logged in as an admin."""
    return admin_client_for(app)


@pytest.fixture(autouse=True, scope="session")
def quick_password_hashing():
    """Real argon2, with the cheapest parameters: the suite hashes hundreds of passwords."""
    from argon2 import PasswordHasher

    from crmkit.core.auth import models

    production, models.hasher = models.hasher, PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    models.hasher = production
