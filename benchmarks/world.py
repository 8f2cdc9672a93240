"""A database of its own for each benchmark run, and the crmkit app on it.

SQLite gets a file in a temporary folder; PostgreSQL a schema of its own (``crmkit_bench_*``)
in the given database, dropped afterwards, so a run never touches anyone's data.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, make_url, text

from crmkit import db
from crmkit.app import create_app
from crmkit.core.auth.service import create_user
from crmkit.migrate import upgrade_all

SECRET = "benchmark-secret-key-not-for-production-use"
ADMIN_EMAIL = "bench-admin@example.com"
PASSWORD = "benchmark password"
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


@dataclass
class Database:
    """Where one run keeps its data; ``url`` is what crmkit is configured with."""

    engine: str  # "sqlite" or "postgresql"
    url: str
    folder: Path
    schema: str | None = None
    admin_url: str | None = None  # PostgreSQL: the database without the schema option
    apps: list[Flask] = field(default_factory=list)

    def app(self, plugins: tuple[ModuleType, ...] = (), **settings: Any) -> Flask:
        app = create_app(config(self.url, **settings), plugins=plugins)
        self.apps.append(app)
        return app

    def dispose(self) -> None:
        for app in self.apps:
            db.engine_of(app).dispose()
        self.apps.clear()
        if self.schema and self.admin_url:
            engine = create_engine(db.normalise_url(self.admin_url))
            with engine.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
            engine.dispose()
        shutil.rmtree(self.folder, ignore_errors=True)


def config(url: str, **settings: Any) -> dict[str, Any]:
    return {
        "SECRET_KEY": SECRET,
        "DATABASE_URL": url,
        "LOAD_ENTRY_POINTS": False,
        "DEFAULT_LOCALE": "en",
        "SESSION_COOKIE_SECURE": False,
        **settings,
    }


def new_database(engine: str, postgres_url: str | None = None, label: str = "") -> Database:
    folder = Path(tempfile.mkdtemp(prefix=f"crmkit-bench-{label}-" if label else "crmkit-bench-"))
    if engine == "sqlite":
        return Database("sqlite", f"sqlite:///{folder / 'bench.sqlite3'}", folder)
    if engine != "postgresql":
        raise ValueError(f"unknown engine {engine!r}: sqlite or postgresql")
    base = postgres_url or DEFAULT_POSTGRES
    schema = f"crmkit_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db.normalise_url(base))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    url = make_url(db.normalise_url(base)).update_query_dict({"options": f"-csearch_path={schema}"})
    return Database("postgresql", url.render_as_string(hide_password=False), folder, schema, base)


def migrate(app: Flask) -> None:
    upgrade_all(db.engine_of(app), app.extensions["crmkit"].lineages)


def add_user(app: Flask, email: str, role: str = "agent", **fields: Any) -> Any:
    with app.app_context():
        return create_user(db.session(), email, PASSWORD, name=email.split("@")[0], role=role, **fields)


def logged_in_client(app: Flask, email: str = ADMIN_EMAIL):
    """A test client with a session, logged in through the real login form."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    if response.status_code != 302:
        raise RuntimeError(f"{email} could not log in: {response.status_code}")
    return client


def session_cookie(client) -> str:
    """The ``Cookie`` header value of a logged-in test client, for a load generator."""
    cookies = [f"{c.key}={c.value}" for c in client._cookies.values()]
    return "; ".join(cookies)
