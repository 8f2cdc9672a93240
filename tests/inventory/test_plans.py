"""The links are read through their indexes: an item's subjects and counts through the item index,
a record's items through the subject index; no statement scans the table (SQLite's plans)."""

import os

import pytest
from sqlalchemy import event

from crmkit import api, db
from tests.inventory.conftest import add_activity, add_car

pytestmark = pytest.mark.skipif(bool(os.environ.get("CRMKIT_TEST_DATABASE_URL")), reason="EXPLAIN QUERY PLAN is SQLite's")


def plans_of(app, work) -> list[str]:
    engine, statements = db.engine_of(app), []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "inventory_link" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    with engine.connect() as connection:
        return [" | ".join(row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all())
                for sql, params in statements]


def test_reading_links_both_ways_and_counting_uses_the_indexes(app, make_user):
    agent = make_user("agent")
    car, call = add_car(app, agent), add_activity(app, agent)
    with app.test_request_context():
        api.link_items("activity", call, [("garage.car", car)])
        db.session().commit()

        def work():
            api.items_of("activity", call)
            api.subjects_of("garage.car", car)
            api.count_subjects("garage.car", [car])

        plans = plans_of(app, work)
    assert len(plans) == 3
    assert all("ix_inventory_link" in plan and "SCAN inventory_link" not in plan for plan in plans), plans
