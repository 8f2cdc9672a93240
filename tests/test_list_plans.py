"""The people list reads one page, not the table: the database walks an index in the list's order
and stops after fifty rows, for an admin's whole list and an agent's own (EXPLAIN, both engines)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from crmkit import db, statistics
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Person
from crmkit.entities.listing import ListQuery, run
from crmkit.entities.service import Records
from tests.conftest import add_user

pytestmark = pytest.mark.crmkit_fresh_database  # asserts query plans: a schema no earlier test used


@pytest.fixture
def people(app):
    """2,000 people, half of them clients, a quarter owned by the agent; statistics refreshed."""
    admin = add_user(app, is_admin=True, name="Admin")
    agent = add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    with app.app_context():
        session = db.session()
        session.add_all(
            Person(name=f"Person {n:05d}", is_client=n % 2 == 0, owner_id=agent.id if n % 4 == 0 else admin.id)
            for n in range(2000)
        )
        session.commit()
    with db.engine_of(app).begin() as connection:
        statistics.refresh(connection)
    return {"admin": admin.id, "agent": agent.id}


def plan_of(app, user_id: int, **filters) -> list[str]:
    """The plan of the list's page query for this user, one node a line."""
    with app.test_request_context():
        session = db.session()
        records = Records(app.extensions["crmkit"].entities.get("person"), session.get(User, user_id))
        statement = records.select().filter_by(**filters).order_by(Person.name, Person.id).limit(51)
        engine = session.get_bind()
        sql = str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
        assert len(run(session, records.select(), records.entity, ListQuery(sort="name")).items) == 50
        if engine.dialect.name == "sqlite":
            return [row[3] for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}"))]
        return [row[0].strip().removeprefix("->  ") for row in session.execute(text(f"EXPLAIN {sql}"))]


def walks(plan: list[str], index: str) -> bool:
    """The plan reads ``index`` in order and never sorts the rows it found (an Incremental Sort,
    PostgreSQL's sort of the rows sharing one name, is fine)."""
    uses = any(index in node and ("SCAN" in node or "SEARCH" in node or node.startswith("Index Scan")) for node in plan)
    sorts = any("TEMP B-TREE" in node or node.startswith("Sort  (") for node in plan)
    return uses and not sorts


def test_the_people_list_walks_the_name_index(app, people):
    plan = plan_of(app, people["admin"])
    assert walks(plan, "ix_contacts_person_name"), plan


def test_the_clients_list_walks_the_name_index(app, people):
    plan = plan_of(app, people["admin"], is_client=True)
    assert walks(plan, "ix_contacts_person_name"), plan


def test_an_agents_own_list_is_read_in_order_without_sorting_their_records(app, people):
    """Through (owner_id, archived_at, name), or the name index when the owner has many of the rows."""
    plan = plan_of(app, people["agent"])
    assert walks(plan, "ix_contacts_person_owner_list") or walks(plan, "ix_contacts_person_name"), plan
