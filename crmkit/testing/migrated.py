"""Migrated test databases, made by Alembic once per session for each set of lineages, then copied.

Migrating costs ~0.2 s a test on SQLite and ~1.5 s on PostgreSQL, and most tests want the same
schema. The first test that asks for a set of lineages (the same names, tables and scripts) gets
a database migrated by Alembic as always; each later one gets a copy made without it:

- SQLite: the first database, just migrated, is kept (backup API) and copied into the test's file.
- PostgreSQL: a template database of the worker's own is migrated by Alembic once; each test's
  empty database is then replaced by ``CREATE DATABASE ... TEMPLATE`` (~0.1 s). Tests still get
  fresh tables of their own (statistics, counters and sequences start from nothing).

A database that is not empty (a second app on it) or an in-memory one is migrated by Alembic, as
before. A test that changes how migrations run migrates by itself: ``make_app(migrate=False)``,
then ``upgrade_all``.

Each pytest-xdist worker keeps its own (the session fixture is per process).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path

from sqlalchemy import Engine, create_engine, text

from crmkit.migrate import Lineage, upgrade_all
from crmkit.testing.databases import DATABASE_DROPS, create_database, database_name, drop_database, server_engine

# Objects in the current schema; none means nothing was migrated into it yet.
PG_OBJECTS = """
SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid)
     + (SELECT count(*) FROM pg_proc WHERE pronamespace = n.oid)
     + (SELECT count(*) FROM pg_type WHERE typnamespace = n.oid)
FROM pg_namespace n WHERE n.nspname = current_schema()
"""


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


class MigratedDatabases:
    """Per test session: one migrated SQLite file, or one PostgreSQL template, per set of lineages."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.sqlite_files: dict[tuple, Path] = {}
        self.templates: dict[tuple, tuple[Engine, str]] = {}

    def upgrade(self, engine: Engine, lineages: Sequence[Lineage]) -> None:
        """Bring the engine's database to the heads of ``lineages``, as ``upgrade_all`` does."""
        dialect = engine.dialect.name
        in_memory = dialect == "sqlite" and engine.url.database in (None, "", ":memory:")
        if dialect not in ("sqlite", "postgresql") or in_memory or not is_empty(engine):
            upgrade_all(engine, lineages)
        elif dialect == "sqlite":
            self._sqlite(engine, lineages)
        else:
            self._postgresql(engine, lineages)

    def close(self) -> None:
        """Drop the templates (in the background, with the tests' own databases)."""
        templates, self.templates = self.templates, {}
        for server, name in templates.values():
            DATABASE_DROPS.drop(server, name)

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

    def _postgresql(self, engine: Engine, lineages: Sequence[Lineage]) -> None:
        key = lineages_key(engine, lineages)
        if key not in self.templates:
            self.templates[key] = self._template(engine, lineages)
        server, template = self.templates[key]
        engine.dispose()  # the copy replaces the database under the app's engine
        drop_database(server, engine.url.database)
        create_database(server, engine.url.database, template)

    @staticmethod
    def _template(engine: Engine, lineages: Sequence[Lineage]) -> tuple[Engine, str]:
        """A database migrated by Alembic with no connection left on it, as a template must be."""
        server, name = server_engine(engine.url), database_name() + "_template"
        create_database(server, name)
        migrating = create_engine(engine.url.set(database=name))
        try:
            upgrade_all(migrating, lineages)
        except BaseException:
            migrating.dispose()
            drop_database(server, name)
            raise
        migrating.dispose()
        return server, name
