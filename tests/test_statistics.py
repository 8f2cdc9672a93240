"""The planner's statistics follow the tables: missing or outgrown ones are refreshed, so a list
walks its sort index instead of sorting every row (crmkit/statistics.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crmkit import db, statistics


def fill(connection, table: str, rows: int, start: int = 0) -> None:
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, name VARCHAR(40))"))
    connection.execute(text(f"CREATE INDEX IF NOT EXISTS ix_{table}_name ON {table} (name)"))
    connection.execute(text(f"INSERT INTO {table} (id, name) VALUES (:id, :name)"),
                       [{"id": n, "name": f"name {n}"} for n in range(start, start + rows)])
    if connection.dialect.name == "postgresql":  # counters reach pg_stat_user_tables at commit
        connection.execute(text("SELECT pg_stat_force_next_flush()"))


def stale(app) -> list[str]:
    with db.engine_of(app).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        return statistics.stale_tables(connection)


@pytest.fixture
def engine(app):
    return db.engine_of(app)


def test_a_grown_table_without_statistics_is_stale(app, engine):
    with engine.begin() as connection:
        fill(connection, "grown", statistics.SMALL)
    assert "grown" in stale(app)


def test_a_table_filled_a_moment_ago_is_stale_before_the_counters_arrive(app, engine):
    """PostgreSQL's pg_stat_user_tables learns of a commit's rows up to a second later; a bulk
    load followed at once by a refresh (the demo load, an import) must not miss the table."""
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE loaded (id INTEGER PRIMARY KEY, name VARCHAR(40))"))
        connection.execute(text("CREATE INDEX ix_loaded_name ON loaded (name)"))
        connection.execute(text("INSERT INTO loaded (id, name) VALUES (:id, :name)"),
                           [{"id": n, "name": f"name {n}"} for n in range(2000)])
        assert "loaded" in statistics.stale_tables(connection)


def test_a_small_table_is_not_worth_analysing(app, engine):
    with engine.begin() as connection:
        fill(connection, "tiny", statistics.SMALL - 1)
    assert "tiny" not in stale(app)


def test_refresh_analyses_the_stale_tables_and_they_are_stale_no_more(app, engine):
    with engine.begin() as connection:
        fill(connection, "grown", statistics.SMALL)
    with engine.begin() as connection:
        assert "grown" in statistics.refresh(connection)
    assert "grown" not in stale(app)


def test_a_table_that_grows_past_its_statistics_is_stale_again(app, engine):
    with engine.begin() as connection:
        fill(connection, "grown", statistics.SMALL)
    with engine.begin() as connection:
        statistics.refresh(connection, ["grown"])
    with engine.begin() as connection:
        fill(connection, "grown", statistics.SMALL, start=statistics.SMALL)
    assert "grown" in stale(app)


def test_crmkit_analyze_names_the_tables_it_refreshed(app, engine, runner):
    with engine.begin() as connection:
        fill(connection, "grown", statistics.SMALL)
    first = runner.invoke(args=["analyze"])
    assert first.exit_code == 0, first.output
    assert "grown" in first.output
    again = runner.invoke(args=["analyze"])
    assert again.exit_code == 0 and "grown" not in again.output


def test_the_hourly_job_refreshes_statistics(app):
    from crmkit import jobs

    assert "core.maintenance.refresh_statistics" in jobs.jobs_of(app).tasks
