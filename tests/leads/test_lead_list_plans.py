"""One source's leads (``/lead/?source_id=``) come from the index of the live leads by (source_id,
id) on both engines: the page newest first and its capped count, without reading the table to
check ``archived_at`` nor sorting, so the page costs the same at a million leads as at ten thousand."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, text

from crmkit import db, statistics
from crmkit.core.leads.intake import Incoming, receive

pytestmark = pytest.mark.crmkit_fresh_database  # asserts query plans: a schema no earlier test used

INDEX = "ix_leads_lead_source_list"


def leads_from(app, source_id: int, other_id: int) -> None:
    """A lead received as a channel receives one, copied up to 512 rows, one in 64 from
    ``source_id`` (a small source among big ones, where reading the newest leads until 50 of it turn
    up would read most of the table); then the planner's statistics, which crmkit keeps
    (crmkit/statistics.py)."""
    with app.app_context():
        receive(Incoming(channel="form", name="Айгуль", phones="+7 701 123 45 67"))
        session = db.session()
        session.commit()
        columns = ", ".join(c["name"] for c in inspect(session.connection()).get_columns("leads_lead") if c["name"] != "id")
        for _ in range(9):
            session.execute(text(f"INSERT INTO leads_lead ({columns}) SELECT {columns} FROM leads_lead"))
        session.execute(text("UPDATE leads_lead SET source_id = CASE WHEN id % 64 = 0 THEN :one ELSE :other END"),
                        {"one": source_id, "other": other_id})
        statistics.refresh(session.connection(), ["leads_lead"])
        session.commit()


def lead_selects(app, client, url: str) -> list[tuple[str, object]]:
    engine, found = db.engine_of(app), []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM leads_lead" in statement:
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return found


def plan_of(app, statement: str, parameters) -> list[str]:
    """The plan's lines; PostgreSQL reads an index rather than the table wherever one serves, as it
    does for a table of a million rows rather than of a hundred (where a bitmap over the table is
    as cheap)."""
    engine = db.engine_of(app)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        connection.exec_driver_sql("SET enable_seqscan = off")
        connection.exec_driver_sql("SET enable_bitmapscan = off")
        return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]


def test_one_sources_leads_page_and_count_read_the_source_index_alone(app, admin_client, make_source):
    krisha, olx = make_source("krisha"), make_source("olx")
    leads_from(app, krisha, olx)

    selects = lead_selects(app, admin_client, f"/lead/?source_id={krisha}")

    filtered = [(s, p) for s, p in selects if "source_id =" in s]
    assert len(filtered) == 2, [s for s, _ in selects]  # the capped count and the page
    for statement, parameters in filtered:
        plan = plan_of(app, statement, parameters)
        assert any(INDEX in step for step in plan), plan
        assert not any("TEMP B-TREE" in step or "Sort" in step for step in plan), plan
        assert not any(step.startswith("SCAN leads_lead") or "Seq Scan" in step or "Filter" in step for step in plan), plan


def new_among_worked(app) -> None:
    """512 leads, the newest eight still new (as a queue looks: the rest were worked long ago),
    and the planner's statistics."""
    with app.app_context():
        receive(Incoming(channel="form", name="Айгуль", phones="+7 701 123 45 67"))
        session = db.session()
        session.commit()
        columns = ", ".join(c["name"] for c in inspect(session.connection()).get_columns("leads_lead") if c["name"] != "id")
        for _ in range(9):
            session.execute(text(f"INSERT INTO leads_lead ({columns}) SELECT {columns} FROM leads_lead"))
        newest = session.execute(text("SELECT max(id) FROM leads_lead")).scalar()
        session.execute(text("UPDATE leads_lead SET status = CASE WHEN id > :cut THEN 'new' ELSE 'in_work' END"), {"cut": newest - 8})
        statistics.refresh(session.connection(), ["leads_lead"])
        session.commit()


def test_the_queue_and_a_status_list_read_the_new_leads_by_status_not_the_whole_table(app, admin_client):
    """Through (status, id) over the live leads, or the status index and a sort of the new ones
    alone: never the primary key, which PostgreSQL walked at 1M leads past every worked lead
    (benchmarks/sql_at_scale.py; a table this small cannot show that misjudgement itself)."""
    new_among_worked(app)

    for url in ("/lead_triage/", "/lead/?status=new"):
        by_status = [(s, p) for s, p in lead_selects(app, admin_client, url) if "status =" in s]
        assert by_status, url
        for statement, parameters in by_status:
            plan = plan_of(app, statement, parameters)
            assert any("ix_leads_lead_queue" in step or "ix_leads_lead_status" in step for step in plan), (url, plan)
            assert not any("pkey" in step or "SCAN leads_lead" in step for step in plan), (url, plan)
