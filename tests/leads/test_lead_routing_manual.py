"""Assigning by hand (the lead's owner field, the list's bulk action), allowed to those who may
assign, and telling the agent: My day's "Leads assigned to you" and a mail through a real SMTP
server (aiosmtpd on a free local port)."""

from __future__ import annotations

import pytest
from flask import current_app

from crmkit.entities.errors import Invalid
from crmkit.entities.service import Records
from tests.leads.routing import accept, add_rule, arrive, as_user, assignments, lead_of
from tests.test_reminders import Inbox, free_port

from aiosmtpd.controller import Controller
from crmkit.testing import csrf_token


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


@pytest.fixture
def app(make_app, smtp_server):
    controller, _inbox = smtp_server
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                    MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz")


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Dana Admin")


@pytest.fixture
def agent(make_user):
    return make_user("agent", name="Aigerim Agent", email="aigerim@example.kz", department="Sales", locale="en")


def set_owner(app, user_id, lead_id, owner_id):
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(user_id))
        records.assign_owner(records.get(lead_id), owner_id)


def test_a_manager_assigns_leads_in_bulk_from_the_list(app, make_user, agent, client_for):
    manager = make_user("manager", department="Sales")
    client = client_for(manager)
    leads = [arrive(app) for _ in range(2)]
    for lead_id in leads:  # the manager's own leads, so the manager sees them
        set_owner(app, manager.id, lead_id, manager.id)
    response = client.post("/lead/bulk", data={"csrf_token": csrf_token(client, "/lead/"), "action": "assign",
                                               "owner_id": agent.id, "ids": leads})
    assert response.status_code == 302
    for lead_id in leads:
        lead = lead_of(app, lead_id)
        assert (lead.owner_id, lead.status) == (agent.id, "assigned") and lead.assigned_at is not None
        assert assignments(app, lead_id)[-1][:2] == (agent.id, "manual")


def test_the_assign_field_on_the_lead_page_assigns_it(app, admin, agent, client_for):
    lead_id = arrive(app)
    client = client_for(admin)
    page = client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert f'action="/lead_routing/leads/{lead_id}/assign"' in page
    response = client.post(f"/lead_routing/leads/{lead_id}/assign",
                           data={"csrf_token": csrf_token(client, f"/lead/{lead_id}"), "owner_id": agent.id})
    assert response.status_code == 302
    lead = lead_of(app, lead_id)
    assert (lead.owner_id, lead.status) == (agent.id, "assigned")


def test_an_agent_gets_no_assign_field_and_may_not_post_it(app, admin, agent, make_user, client_for):
    lead_id = arrive(app)
    set_owner(app, admin.id, lead_id, agent.id)
    client = client_for(agent)
    assert "/assign" not in client.get(f"/lead/{lead_id}").get_data(as_text=True)
    other = make_user("agent", department="Sales")
    response = client.post(f"/lead_routing/leads/{lead_id}/assign",
                           data={"csrf_token": csrf_token(client, f"/lead/{lead_id}"), "owner_id": other.id})
    assert response.status_code == 403 and lead_of(app, lead_id).owner_id == agent.id


def test_reassigning_a_lead_in_work_keeps_its_status(app, admin, agent, make_user):
    other = make_user("agent", department="Sales")
    add_rule(app, strategy="user", user_id=agent.id)
    lead_id = accept(app, arrive(app), admin.id).id
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(admin.id))
        records.update(records.get(lead_id), {"status": "in_work"}, None)
    set_owner(app, admin.id, lead_id, other.id)
    assert (lead_of(app, lead_id).owner_id, lead_of(app, lead_id).status) == (other.id, "in_work")


def test_an_agent_may_not_hand_a_lead_to_someone_else(app, agent, make_user):
    other = make_user("agent", department="Sales")
    lead_id = arrive(app)
    set_owner(app, make_user("admin").id, lead_id, agent.id)
    with pytest.raises(Invalid) as refused:
        set_owner(app, agent.id, lead_id, other.id)
    assert "owner_id" in refused.value.fields
    assert lead_of(app, lead_id).owner_id == agent.id


def test_a_lead_cannot_be_assigned_to_nobody(app, admin):
    lead_id = arrive(app)
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(admin.id))
        with pytest.raises(Invalid) as refused:
            records.update(records.get(lead_id), {"status": "assigned"}, None)
    assert "Choose who the lead is assigned to." in str(refused.value.fields)


def test_the_assigned_agent_sees_the_lead_on_my_day(app, admin, agent, client_for):
    add_rule(app, strategy="user", user_id=agent.id)
    lead_id = accept(app, arrive(app, name="Ерлан Сапаров", phones=["+7 701 111 22 33"]), admin.id).id
    page = client_for(agent).get("/my-day").get_data(as_text=True)
    assert "Leads assigned to you" in page and "Ерлан Сапаров" in page and f"/lead/{lead_id}" in page


def test_a_lead_moved_on_leaves_my_day(app, admin, agent, client_for):
    add_rule(app, strategy="user", user_id=agent.id)
    lead_id = accept(app, arrive(app, name="Ерлан Сапаров"), admin.id).id
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(agent.id))
        records.update(records.get(lead_id), {"status": "in_work"}, None)
    assert "Ерлан Сапаров" not in client_for(agent).get("/my-day").get_data(as_text=True)


def test_the_assigned_agent_is_mailed_with_the_lead_and_a_link(app, admin, agent, inbox):
    add_rule(app, strategy="user", user_id=agent.id)
    lead_id = accept(app, arrive(app, name="Ерлан Сапаров", phones=["+7 701 111 22 33"], request="2-комнатная <b>"), admin.id).id
    assert [m.rcpt_tos for m in inbox.messages] == [["aigerim@example.kz"]]
    message = inbox.parsed()[0]
    assert message["Subject"] == "New lead for you: Ерлан Сапаров"
    text = message.get_body(("plain",)).get_content()
    assert "+7 701 111 22 33" in text and f"https://crm.example.kz/lead/{lead_id}" in text
    assert "2-комнатная &lt;b&gt;" in message.get_body(("html",)).get_content()


def test_nobody_is_mailed_about_a_lead_they_took_themselves(app, admin, inbox):
    lead_id = arrive(app)
    set_owner(app, admin.id, lead_id, admin.id)
    assert lead_of(app, lead_id).status == "assigned" and inbox.messages == []


def test_without_mail_the_agent_still_finds_the_lead_on_my_day(make_app, make_user, client_for):
    app = make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST=None)
    admin = make_user("admin", app=app)
    agent = make_user("agent", app=app, department="Sales")
    add_rule(app, strategy="user", user_id=agent.id)
    accept(app, arrive(app, name="Quiet lead"), admin.id)
    assert "Quiet lead" in client_for(agent, app=app).get("/my-day").get_data(as_text=True)
