"""The time triggers' sweep reads an index, not the table: "idle for N days" asks every five
minutes for the live records whose ``updated_at`` entered a window, ``ORDER BY updated_at, id``;
on every core entity (updated_at, id) hands the window over in order on both engines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, inspect, text

from crmkit import db, jobs, statistics
from tests.automation.conftest import ADMIN, save_rule
from tests.pipelining import acting_as

pytestmark = pytest.mark.crmkit_fresh_database  # asserts query plans: a schema no earlier test used

ENTITIES = {"person": "contacts_person", "organization": "contacts_organization", "activity": "activity",
            "deal": "pipelines_deal", "lead": "leads_lead"}
FIRST = {"person": {"name": "Ким Анна"}, "organization": {"name": "ТОО Ромашка"},
         "activity": {"kind": "note", "subject": "Called back"}, "lead": {"name": "Заявка"}}


def filled(app, entity: str, sales: dict) -> None:
    """A record made through the service, copied up to 64 rows, and the planner's statistics, which
    crmkit keeps (crmkit/statistics.py): the planner then knows most rows are live."""
    values = {"title": "Flat on Abay", "pipeline_id": sales["pipeline"]} if entity == "deal" else FIRST[entity]
    with acting_as(app, ADMIN, entity) as records:
        records.create(dict(values))
    table = ENTITIES[entity]
    with app.app_context():
        session = db.session()
        columns = ", ".join(c["name"] for c in inspect(session.connection()).get_columns(table) if c["name"] != "id")
        for _ in range(6):
            session.execute(text(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}"))
        statistics.refresh(session.connection(), [table])
        session.commit()


def swept_statements(app) -> dict[str, tuple[str, object]]:
    """The SELECT each entity's window ran during one check of the time triggers, by table."""
    engine, found = db.engine_of(app), {}

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        compact = " ".join(statement.split())
        if compact.startswith("SELECT") and "updated_at >" in compact:
            table = compact.split(" FROM ", 1)[1].split()[0].strip('"')
            found[table] = (statement, parameters)

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with app.app_context():
            jobs.enqueue("core.automation.check_time_triggers")
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return found


def plan_of(app, statement: str, parameters) -> list[str]:
    """The plan's lines; PostgreSQL is told to avoid a table scan wherever an index can serve, as
    its planner would choose for a table of a million rows rather than of a few."""
    engine = db.engine_of(app)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        connection.exec_driver_sql("SET enable_seqscan = off")
        return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]


@pytest.mark.parametrize("entity", sorted(ENTITIES))
def test_the_idle_trigger_reads_the_window_from_the_updated_index(app, admin_id, sales, frozen_clock, entity):
    filled(app, entity, sales)
    save_rule(app, {"name": f"Idle {entity}", "entity": entity, "trigger": {"type": "idle", "days": 7},
                    "actions": [{"type": "create_task", "subject": "Look again", "due_in": 0}]})
    frozen_clock.tick(timedelta(days=8))

    table = ENTITIES[entity]
    statements = swept_statements(app)
    assert table in statements, sorted(statements)
    plan = plan_of(app, *statements[table])

    assert any(f"ix_{table}_updated" in step for step in plan), plan
    assert not any("TEMP B-TREE" in step or step.lstrip().startswith(("Sort", "->  Sort")) for step in plan), plan
    assert not any(step.startswith(f"SCAN {table}") or "Seq Scan" in step for step in plan), plan
