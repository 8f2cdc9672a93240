"""Fixtures in the flaskr style: ``make_app(plugins=[...])``, ``app``, ``client``, ``runner``.

Tests run on SQLite in a temporary folder, or on PostgreSQL when CRMKIT_TEST_DATABASE_URL is set
(each test then gets a schema of its own, dropped afterwards).
"""

from __future__ import annotations

import os
import re
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, make_url, text

from crmkit import db
from crmkit.app import create_app
from crmkit.core.auth.service import create_user
from crmkit.migrate import upgrade_all

TEST_SECRET = "test-secret-key-used-only-by-the-test-suite"
ADMIN_EMAIL, ADMIN_PASSWORD = "admin@example.com", "correct horse battery"


@contextmanager
def own_database(folder, name: str = "test"):
    """An empty database: SQLite ``<name>.sqlite3`` in ``folder``, or a schema of its own on the
    PostgreSQL that CRMKIT_TEST_DATABASE_URL names, dropped afterwards."""
    base = os.environ.get("CRMKIT_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    url = make_url(db.normalise_url(base))
    schema = f"test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
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


@pytest.fixture
def make_app(database_url, instance_path):
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
            upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)
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
