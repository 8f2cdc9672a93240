"""The lead an answer belongs to is found through indexes whatever the table's size: a lead made
from a Message-ID is read from the (channel, external_id) unique index, never by walking the
channel's leads in id order (which read every email lead when nothing matched, since most leads
have no external id and the planner's statistics then call that index unselective)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, inspect, text

from crmkit import db, statistics
from crmkit.core.intake_mail import threads
from crmkit.core.leads.intake import Incoming, receive

pytestmark = pytest.mark.crmkit_fresh_database  # asserts query plans: a schema no earlier test used


def email_leads(app) -> int:
    """An email lead made from a Message-ID, then 511 copies without one spread over the four
    channels (as leads arrive: forms, webhooks, mail, by hand), and the planner's statistics
    (crmkit keeps them: crmkit/statistics.py); returns the first lead's id."""
    with app.app_context():
        lead, _ = receive(Incoming(channel="email", name="Айгуль", emails="aigul@example.kz", external_id="<first@agency.kz>"))
        session = db.session()
        session.commit()
        columns = [c["name"] for c in inspect(session.connection()).get_columns("leads_lead") if c["name"] not in ("id", "external_id")]
        listed = ", ".join(columns)
        for _ in range(9):
            session.execute(text(f"INSERT INTO leads_lead ({listed}) SELECT {listed} FROM leads_lead"))
        session.execute(text("UPDATE leads_lead SET channel = CASE id % 4 WHEN 0 THEN 'form' WHEN 1 THEN 'webhook' "
                             "WHEN 2 THEN 'email' ELSE 'manual' END WHERE external_id IS NULL"))
        statistics.refresh(session.connection(), ["leads_lead"])
        session.commit()
        return lead.id


def lead_selects(app, ids: list[str]):
    engine, found = db.engine_of(app), []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT") and "FROM leads_lead" in statement:
            found.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with app.app_context():
            lead = threads.lead_by_thread(ids)
            lead_id = lead.id if lead else None
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    return lead_id, found


def plan_of(app, statement: str, parameters) -> list[str]:
    engine = db.engine_of(app)
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        connection.exec_driver_sql("SET enable_seqscan = off")
        return [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]


def test_a_reply_finds_the_lead_made_from_its_message_id(app):
    lead_id = email_leads(app)
    found, _ = lead_selects(app, ["<unknown@agency.kz>", "<first@agency.kz>"])
    assert found == lead_id


def test_the_lead_made_from_a_message_id_is_read_from_the_unique_index(app):
    email_leads(app)
    found, selects = lead_selects(app, ["<unknown@agency.kz>", "<other@agency.kz>"])

    assert found is None
    [(statement, parameters)] = selects
    plan = plan_of(app, statement, parameters)
    assert any("uq_leads_lead_channel_external_id" in step or "sqlite_autoindex_leads_lead" in step for step in plan), plan
    assert not any("ix_leads_lead_channel" in step or step.startswith("SCAN leads_lead") or "Seq Scan" in step for step in plan), plan
