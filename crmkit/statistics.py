"""Keep the query planner's statistics in step with the tables, so lists walk their sort index.

Without statistics, SQLite and PostgreSQL guess that ``archived_at IS NULL`` or ``is_client = 1``
picks out a few rows, serve it from that column's index and sort every matching row to show one
page of fifty: the list gets slower with every record added (benchmarks/FINDINGS.md). With them,
they walk the name index and stop after the page.

SQLite never analyses by itself (and ``PRAGMA optimize`` of SQLite 3.40 skips tables never
analysed), so crmkit does: a table is analysed when it has no statistics yet or its row count has
moved by more than ``GROWTH`` since. A full ANALYZE of a million-row table with six indexes takes
about a third of a second. PostgreSQL's autovacuum analyses on its own; here it only gets the
tables that were never analysed, such as right after a bulk load.

Runs after big imports and the demo load, when ``crmkit serve`` starts, hourly from the worker
(``core.maintenance.refresh_statistics``) and on demand with ``crmkit analyze``.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

GROWTH = 1.5  # analyse again once a table holds 1.5x (or 1/1.5) the rows its statistics describe
SMALL = 200  # below this, a table's plan can't go far wrong: not worth an ANALYZE of its own
SMALL_PAGES = 3  # PostgreSQL: a table never analysed that fills more pages than this is not small


def stale_tables(connection: Connection) -> list[str]:
    """The tables whose statistics are missing or out of date."""
    if connection.dialect.name == "sqlite":
        return _stale_sqlite(connection)
    if connection.dialect.name == "postgresql":
        return _stale_postgresql(connection)
    return []


def refresh(connection: Connection, tables: list[str] | None = None) -> list[str]:
    """ANALYZE ``tables`` (default: the stale ones); returns the tables analysed."""
    chosen = stale_tables(connection) if tables is None else tables
    for table in chosen:
        connection.execute(text(f'ANALYZE "{table}"'))
    return chosen


def _stale_sqlite(connection: Connection) -> list[str]:
    indexed = {
        row[0]
        for row in connection.execute(
            text("SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name NOT LIKE 'sqlite_%'")
        )
    }
    described: dict[str, int] = {}
    if connection.execute(text("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        for table, stat in connection.execute(text("SELECT tbl, stat FROM sqlite_stat1 WHERE idx IS NOT NULL")):
            described[table] = int(stat.split()[0])
    stale = []
    for table in sorted(indexed):
        rows = connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        if _moved(described.get(table), rows):
            stale.append(table)
    return stale


def _stale_postgresql(connection: Connection) -> list[str]:
    """Never analysed (``reltuples`` is -1 in pg_class, which is transactional) and not tiny, or
    moved by a share of its rows since. pg_stat_user_tables' counters reach the view up to a
    second after a commit (PostgreSQL 15 flushes them at most once a second), so right after a
    bulk load a table's size on disk also counts: more than ``SMALL_PAGES`` pages is not tiny."""
    found = connection.execute(
        text(
            "SELECT c.relname, c.reltuples, pg_relation_size(c.oid) / current_setting('block_size')::int, "
            "coalesce(s.n_live_tup, 0), coalesce(s.n_mod_since_analyze, 0) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
    )
    stale = []
    for table, described, pages, live, modified in found:
        if described < 0:
            if live >= SMALL or pages > SMALL_PAGES:
                stale.append(table)
        elif max(live, described) >= SMALL and modified > max(live, described) * (1 - 1 / GROWTH):  # the share moved
            stale.append(table)
    return sorted(stale)


def _moved(described: int | None, rows: int) -> bool:
    if described is None:
        return rows >= SMALL
    low, high = sorted((max(described, 1), max(rows, 1)))
    return high / low > GROWTH and max(described, rows) >= SMALL
