"""Migrated PostgreSQL schemas, used again by later tests rather than migrated anew for each.

Replaying a set of migrations into a new schema costs the server ~0.3 s and dropping it ~0.07 s;
emptying the tables of a schema and putting back the rows the migrations wrote costs ~0.02 s. So
when a test ends, its schema, if the test left its structure as the migrations made it (the same
fingerprint: tables, columns and their defaults, indexes, constraints, triggers, functions, types,
and the planner's statistics), has its tables emptied with triggers off, the migrations' rows and
every sequence's position put back, and waits under a pool name. The next test that asks for the
same lineages on the same server renames it to its own name. Any other schema is dropped.

What a recycled table keeps is the pages its deleted rows took, which the planner reads: a test
that asserts a plan (EXPLAIN) is marked ``crmkit_fresh_database`` and gets a schema never used.

Only schemas migrated through crmkit.testing.migrated join: one migrated by Alembic, or by a test
itself, is never recycled. Recycling runs in the background thread that drops schemas
(crmkit.testing.databases.SchemaDrops); a test that finds no schema waiting lets it finish first.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, text

from crmkit.testing.databases import worker_name

# The schema's structure, one line an object; names of the schema itself are cut out by the caller.
FINGERPRINT = """
SELECT 'c ' || c.relname || ' ' || c.relkind::text || ' ' || c.reltuples || ' ' || c.relpages
FROM pg_class c WHERE c.relnamespace = :ns
UNION ALL
SELECT 'a ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
       || ' ' || a.attnotnull || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE c.relnamespace = :ns AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'i ' || pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relnamespace = :ns
UNION ALL
SELECT 'k ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = :ns
UNION ALL
SELECT 't ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
WHERE c.relnamespace = :ns AND NOT t.tgisinternal
UNION ALL
SELECT 'p ' || p.proname || ' ' || md5(p.prosrc) FROM pg_proc p WHERE p.pronamespace = :ns
UNION ALL
SELECT 'y ' || t.typname || ' ' || t.typtype::text || ' '
       || coalesce((SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e
                    WHERE e.enumtypid = t.oid), '')
FROM pg_type t WHERE t.typnamespace = :ns AND t.typtype IN ('e', 'd')
UNION ALL
SELECT 's ' || s.tablename || '.' || s.attname || ' ' || s.null_frac || ' ' || s.n_distinct || ' ' || s.avg_width
FROM pg_stats s WHERE s.schemaname = :schema
"""
INSUFFICIENT_PRIVILEGE = "42501"
NAMESPACE = "SELECT oid FROM pg_namespace WHERE nspname = :schema"
TABLES = "SELECT relname FROM pg_class WHERE relnamespace = :ns AND relkind = 'r' ORDER BY relname"
SEQUENCES = "SELECT relname FROM pg_class WHERE relnamespace = :ns AND relkind = 'S' ORDER BY relname"


def quoted(schema: str, name: str) -> str:
    return f'"{schema}"."{name}"'


def fingerprint(connection: Connection, schema: str) -> str | None:
    """A digest of the schema's structure that does not depend on its name; None once it is gone.
    Read with only pg_catalog on the search path, so every other name is written in full."""
    connection.execute(text("SET LOCAL search_path = pg_catalog"))
    namespace = connection.execute(text(NAMESPACE), {"schema": schema}).scalar()
    if namespace is None:
        return None
    lines = sorted(line.replace(f'"{schema}".', "").replace(f"{schema}.", "")
                   for line in connection.execute(text(FINGERPRINT), {"ns": namespace, "schema": schema}).scalars())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


@dataclass
class Pristine:
    """A schema as the migrations left it: its fingerprint, the rows they wrote, where sequences stood."""

    fingerprint: str
    tables: list[str]
    rows: dict[str, bytes]
    sequences: list[tuple[str, int, bool]]
    waiting: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, connection: Connection, schema: str) -> Pristine:
        namespace = connection.execute(text(NAMESPACE), {"schema": schema}).scalar()
        tables = list(connection.execute(text(TABLES), {"ns": namespace}).scalars())
        cursor = connection.connection.driver_connection.cursor()
        rows = {}
        for table in tables:
            if connection.execute(text(f"SELECT EXISTS (SELECT FROM {quoted(schema, table)})")).scalar():
                with cursor.copy(f"COPY {quoted(schema, table)} TO STDOUT") as copy:
                    rows[table] = b"".join(bytes(chunk) for chunk in copy)
        sequences = [
            (name, *connection.execute(text(f"SELECT last_value, is_called FROM {quoted(schema, name)}")).one())
            for name in connection.execute(text(SEQUENCES), {"ns": namespace}).scalars()
        ]
        return cls(fingerprint(connection, schema), tables, rows, sequences)

    def restore(self, connection: Connection, schema: str) -> None:
        """Empty every table with triggers off, then put back the migrations' rows and sequences.
        DELETE, not TRUNCATE: truncating gives each table new files, as slow as a new schema."""
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute("SET LOCAL session_replication_role = replica; "
                       + " ".join(f"DELETE FROM {quoted(schema, table)};" for table in self.tables))
        for table, data in self.rows.items():
            with cursor.copy(f"COPY {quoted(schema, table)} FROM STDIN") as copy:
                copy.write(data)
        if self.sequences:
            cursor.execute("SELECT " + ", ".join(
                f"setval('{quoted(schema, name)}', {value}, {'true' if called else 'false'})"
                for name, value, called in self.sequences))
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


class SchemaPool:
    """Per test process: for each server and set of lineages, what a fresh schema holds and which
    recycled schemas wait; and which test schemas were migrated for which set."""

    def __init__(self):
        self.kinds: dict[tuple, Pristine] = {}
        self.owners: dict[str, tuple] = {}
        self.lock = threading.Lock()
        self.allowed = True  # False once the server refused session_replication_role to this role

    @staticmethod
    def server(engine: Engine) -> str:
        return engine.url.set(query={}).render_as_string(hide_password=False)

    def adopt(self, engine: Engine, schema: str, lineages_key: tuple) -> None:
        """``schema`` was just migrated for ``lineages_key``: it may be recycled when its test ends."""
        if not self.allowed:
            return
        key = (self.server(engine), lineages_key)
        if key not in self.kinds:
            with engine.begin() as connection:
                pristine = Pristine.read(connection, schema)
            with self.lock:
                self.kinds.setdefault(key, pristine)
        with self.lock:
            self.owners[schema] = key

    def take(self, engine: Engine, schema: str, lineages_key: tuple, settle=None) -> bool:
        """Put a recycled schema in place of the empty ``schema``; False when none is ready.
        ``settle`` waits for the recycling under way, when nothing waits yet."""
        key = (self.server(engine), lineages_key)
        if key not in self.kinds:
            return False
        if not self.kinds[key].waiting and settle is not None:
            settle()
        with self.lock:
            if not self.kinds[key].waiting:
                return False
            ready = self.kinds[key].waiting.pop()
        engine.dispose()
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}"'))
            connection.execute(text(f'ALTER SCHEMA "{ready}" RENAME TO "{schema}"'))
        engine.dispose()
        with self.lock:
            self.owners[schema] = key
        return True

    def recycle(self, engine: Engine, schema: str) -> bool:
        """Make a finished test's schema ready for the next; False when it must be dropped."""
        with self.lock:
            key = self.owners.pop(schema, None)
        if key is None or key[0] != self.server(engine):
            return False
        pristine = self.kinds[key]
        try:
            with engine.begin() as connection:
                if fingerprint(connection, schema) != pristine.fingerprint:
                    return False
                pristine.restore(connection, schema)
                ready = f"pool_{worker_name()}_{uuid.uuid4().hex[:12]}"
                connection.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{ready}"'))
        except Exception as error:
            if getattr(error, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
                raise
            self.allowed = False
            return False
        with self.lock:
            pristine.waiting.append(ready)
        return True

    def waiting(self, engine: Engine) -> list[str]:
        """Take every waiting schema on ``engine``'s server out of the pool (to drop them)."""
        server, found = self.server(engine), []
        with self.lock:
            for (on, _lineages), kind in self.kinds.items():
                if on == server:
                    found += kind.waiting
                    kind.waiting = []
        return found


SCHEMA_POOL = SchemaPool()
