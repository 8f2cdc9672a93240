"""Migrated test databases, made by Alembic once per session for each set of lineages, then copied.

Migrating costs ~0.2 s a test on SQLite and ~1 s on PostgreSQL, and most tests want the same
schema. The first test that asks for a set of lineages (the same names, tables and scripts) is
migrated by Alembic as always; each later one gets the same database without it:

- SQLite: the first database, just migrated, is kept (backup API) and copied into the test's file.
- PostgreSQL: the statements that first migration executed are kept and executed again, in one
  transaction, in the test's own empty schema. Tests still get fresh tables of their own
  (statistics, counters and sequences start from nothing), which reusing schemas would not give.

A database that is not empty (a second app on it), an in-memory one, or a migration whose
statements name its own schema is migrated by Alembic, as before. A test that changes how
migrations run migrates by itself: ``make_app(migrate=False)``, then ``upgrade_all``.

Each pytest-xdist worker keeps its own (the session fixture is per process), in its own folder.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError

from crmkit.migrate import Lineage, upgrade_all
from crmkit.testing.databases import SCHEMA_DROPS
from crmkit.testing.schema_pool import SCHEMA_POOL

# Objects in the current schema; none means nothing was migrated into it yet.
PG_OBJECTS = """
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid)
     + (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = current_schema()
"""
# Advisory locks only make concurrent migrations take turns creating pg_trgm (crmkit/search);
# a replay comes after the recorded migration committed, so it needs no turn.
ADVISORY_LOCK = re.compile(r"^\s*SELECT\s+pg_advisory(_xact)?_lock\(", re.IGNORECASE)


def lineages_key(engine: Engine, lineages: Sequence[Lineage]) -> tuple:
    """What decides what a migration makes: the engine, and each lineage's name, tables and scripts."""
    key: list = [engine.dialect.name]
    for lineage in lineages:
        folder = lineage.versions_dir
        scripts = []
        if folder.is_dir():
            for path in sorted(folder.rglob("*.py")):
                stat = path.stat()
                scripts.append((str(path.relative_to(folder)), stat.st_size, stat.st_mtime_ns))
        key.append((lineage.name, str(folder), tuple(sorted(lineage.tables)), tuple(scripts)))
    return tuple(key)


def is_empty(engine: Engine) -> bool:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return connection.execute(text("SELECT count(*) FROM sqlite_master")).scalar() == 0
        return not connection.execute(text(PG_OBJECTS)).scalar()


def copy_sqlite(source: str | Path, target: str | Path) -> None:
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def recorded_upgrade(engine: Engine, lineages: Sequence[Lineage]) -> list[tuple[str, str, object]] | None:
    """Migrate with Alembic, keeping each statement the engine ran, its parameters and how it ran
    them; None when one names the schema (a replay elsewhere would reach back into it)."""
    statements: list[tuple[str, str, object]] = []

    def keeper(kind: str):
        def keep(_cursor, statement, *rest):
            statements.append((kind, statement, rest[0] if kind != "do_execute_no_params" else None))

        return keep

    listeners = [(kind, keeper(kind)) for kind in ("do_execute", "do_executemany", "do_execute_no_params")]
    for kind, listener in listeners:
        event.listen(engine, kind, listener)
    try:
        upgrade_all(engine, lineages)
    finally:
        for kind, listener in listeners:
            event.remove(engine, kind, listener)
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar()
    if any(schema in statement or schema in repr(parameters) for _kind, statement, parameters in statements):
        return None
    return [s for s in statements if not ADVISORY_LOCK.match(s[1])]


def replay(engine: Engine, statements: list[tuple[str, str, object]]) -> None:
    """Run recorded statements, in one transaction, on the engine's database (its search_path)."""
    with engine.begin() as connection:
        cursor = connection.connection.driver_connection.cursor()
        for kind, statement, parameters in statements:
            if kind == "do_executemany":
                cursor.executemany(statement, parameters)
            elif kind == "do_execute":
                cursor.execute(statement, parameters)
            else:
                cursor.execute(statement)


class MigratedDatabases:
    """Per test session: one migrated SQLite file, or one list of statements, per set of lineages."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.sqlite_files: dict[tuple, Path] = {}
        self.statements: dict[tuple, list | None] = {}

    def upgrade(self, engine: Engine, lineages: Sequence[Lineage], recycled: bool = True) -> None:
        """Bring the engine's database to the heads of ``lineages``, as ``upgrade_all`` does.
        ``recycled`` False: on PostgreSQL, never a schema an earlier test used (schema_pool)."""
        dialect = engine.dialect.name
        in_memory = dialect == "sqlite" and engine.url.database in (None, "", ":memory:")
        if dialect not in ("sqlite", "postgresql") or in_memory or not is_empty(engine):
            upgrade_all(engine, lineages)
        elif dialect == "sqlite":
            self._sqlite(engine, lineages)
        else:
            self._postgresql(engine, lineages, recycled)

    def _sqlite(self, engine: Engine, lineages: Sequence[Lineage]) -> None:
        key, database = lineages_key(engine, lineages), engine.url.database
        kept = self.sqlite_files.get(key)
        engine.dispose()  # no connection of the app's may see the file change under it
        if kept is not None:
            copy_sqlite(kept, database)
            return
        upgrade_all(engine, lineages)
        engine.dispose()
        kept = self.folder / f"migrated-{len(self.sqlite_files)}.sqlite3"
        copy_sqlite(database, kept)
        self.sqlite_files[key] = kept

    def _postgresql(self, engine: Engine, lineages: Sequence[Lineage], recycled: bool = True) -> None:
        key = lineages_key(engine, lineages)
        statements = self.statements.get(key)
        with engine.connect() as connection:
            schema = connection.execute(text("SELECT current_schema()")).scalar()
        if statements:
            if recycled and SCHEMA_POOL.take(engine, schema, key, settle=SCHEMA_DROPS.wait):
                return
            try:
                replay(engine, statements)
                SCHEMA_POOL.adopt(engine, schema, key)
                return
            except (DBAPIError, engine.dialect.loaded_dbapi.Error):
                pass  # e.g. a test dropped pg_trgm: Alembic makes it again, and is recorded anew
        elif key in self.statements:  # known not to be replayable
            upgrade_all(engine, lineages)
            return
        self.statements[key] = recorded_upgrade(engine, lineages)
        if self.statements[key]:
            SCHEMA_POOL.adopt(engine, schema, key)
