"""A database of its own for each test: a SQLite file, or a PostgreSQL database dropped afterwards.

CRMKIT_TEST_DATABASE_URL chooses the engine: unset means SQLite in the test's temporary folder,
``postgresql://...`` a database of its own on that server, made and dropped through the
database the URL names. Database names carry the pytest-xdist worker's name and a random part,
so parallel workers (and two suites on one server) never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, create_engine, make_url, text

from crmkit import db

DATABASE_URL_VARIABLE = "CRMKIT_TEST_DATABASE_URL"
PREFIX = "crmkit_test_"


class DatabaseDrops:
    """Databases of finished tests, dropped by one background thread while the next tests run;
    the session waits for the last ones and their errors."""

    def __init__(self):
        self.engines: dict[str, Engine] = {}
        self.pending: list[Future] = []
        self.pool: ThreadPoolExecutor | None = None

    def engine(self, url: URL) -> Engine:
        """One engine per server, on the database the test URL names, outside any transaction
        (CREATE and DROP DATABASE refuse to run in one). A drop waits at most a minute for a lock."""
        key = url.render_as_string(hide_password=False)
        if key not in self.engines:
            self.engines[key] = create_engine(
                url.update_query_dict({"options": "-clock_timeout=60s"}), isolation_level="AUTOCOMMIT")
        return self.engines[key]

    def drop(self, engine: Engine, name: str) -> None:
        self.pool = self.pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-database")
        self.pending.append(self.pool.submit(drop_database, engine, name))

    def wait(self) -> None:
        done, self.pending = self.pending, []
        errors = [error for future in done if (error := future.exception())]
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Wait for the drops, then let go of every connection."""
        try:
            self.wait()
        finally:
            for engine in self.engines.values():
                engine.dispose()


def create_database(engine: Engine, name: str, template: str = "template0") -> None:
    """A new database copied from ``template``: an empty one from template0, or a migrated one
    (PostgreSQL copies its files, ~0.1 s, where re-running the migrations takes over a second)."""
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))


def drop_database(engine: Engine, name: str) -> None:
    """Gone, even if a connection a test left open is still on it (FORCE ends those)."""
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


DATABASE_DROPS = DatabaseDrops()


def worker_name() -> str:
    """``gw0``, ``gw1``... under pytest-xdist; ``main`` in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def database_name() -> str:
    return f"{PREFIX}{worker_name()}_{uuid.uuid4().hex[:12]}"


def server_engine(url: URL) -> Engine:
    """The engine that creates and drops test databases: on CRMKIT_TEST_DATABASE_URL's database
    when it names this server, else on ``postgres``."""
    base = os.environ.get(DATABASE_URL_VARIABLE)
    admin = make_url(db.normalise_url(base)) if base else url.set(database="postgres")
    if (admin.host, admin.port) != (url.host, url.port):
        admin = url.set(database="postgres")
    return DATABASE_DROPS.engine(admin.set(query={}))


@contextmanager
def own_database(folder: Path, name: str = "test") -> Iterator[str]:
    """An empty database: SQLite ``<name>.sqlite3`` in ``folder``, or a database of its own on the
    PostgreSQL server that CRMKIT_TEST_DATABASE_URL names, dropped afterwards (DatabaseDrops).

    Its commits do not wait for the disk (synchronous_commit=off): what every session sees is the
    same, only a crash of the server could lose the last ones, and no test outlives that.
    """
    base = os.environ.get(DATABASE_URL_VARIABLE)
    if not base:
        yield f"sqlite:///{Path(folder) / f'{name}.sqlite3'}"
        return
    url = make_url(db.normalise_url(base))
    database = database_name()
    engine = server_engine(url)
    create_database(engine, database)
    try:
        own = url.set(database=database).update_query_dict({"options": "-csynchronous_commit=off"})
        yield own.render_as_string(hide_password=False)
    finally:
        DATABASE_DROPS.drop(engine, database)
