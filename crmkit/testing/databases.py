"""A database of its own for each test: a SQLite file, or a PostgreSQL schema dropped afterwards.

CRMKIT_TEST_DATABASE_URL chooses the engine: unset means SQLite in the test's temporary folder,
``postgresql://...`` a schema of its own on that server. Schema names carry the pytest-xdist
worker's name, so parallel workers (and two suites on one server) never meet.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, make_url, text

from crmkit import db

DATABASE_URL_VARIABLE = "CRMKIT_TEST_DATABASE_URL"


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
        """Recycle the schema for a later test when it may be (crmkit.testing.schema_pool), else drop it."""
        self.pool = self.pool or ThreadPoolExecutor(max_workers=1, thread_name_prefix="drop-schema")
        self.pending.append(self.pool.submit(recycle_or_drop, engine, schema))

    def wait(self) -> None:
        done, self.pending = self.pending, []
        errors = [error for future in done if (error := future.exception())]
        if errors:
            raise errors[0]

    def close(self) -> None:
        """Wait for the drops, drop the schemas waiting to be used again, then let go of every connection."""
        from crmkit.testing.schema_pool import SCHEMA_POOL

        try:
            self.wait()
            for engine in self.engines.values():
                for schema in SCHEMA_POOL.waiting(engine):
                    drop_schema(engine, schema)
        finally:
            for engine in self.engines.values():
                engine.dispose()


def recycle_or_drop(engine: Engine, schema: str) -> None:
    from crmkit.testing.schema_pool import SCHEMA_POOL

    if not SCHEMA_POOL.recycle(engine, schema):
        drop_schema(engine, schema)


def drop_schema(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


SCHEMA_DROPS = SchemaDrops()


def worker_name() -> str:
    """``gw0``, ``gw1``... under pytest-xdist; ``main`` in a run without workers."""
    return os.environ.get("PYTEST_XDIST_WORKER") or "main"


def schema_name() -> str:
    return f"test_{worker_name()}_{uuid.uuid4().hex[:12]}"


@contextmanager
def own_database(folder: Path, name: str = "test") -> Iterator[str]:
    """An empty database: SQLite ``<name>.sqlite3`` in ``folder``, or a schema of its own on the
    PostgreSQL that CRMKIT_TEST_DATABASE_URL names, dropped afterwards (SchemaDrops).

    Its commits do not wait for the disk (synchronous_commit=off): what every session sees is the
    same, only a crash of the server could lose the last ones, and no test outlives that.
    """
    base = os.environ.get(DATABASE_URL_VARIABLE)
    if not base:
        yield f"sqlite:///{Path(folder) / f'{name}.sqlite3'}"
        return
    url = make_url(db.normalise_url(base))
    schema = schema_name()
    engine = SCHEMA_DROPS.engine(url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        options = f"-csearch_path={schema} -csynchronous_commit=off"
        yield url.update_query_dict({"options": options}).render_as_string(hide_password=False)
    finally:
        SCHEMA_DROPS.drop(engine, schema)
