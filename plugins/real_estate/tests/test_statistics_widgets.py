"""Home-page widgets: an agent's objects and showings this week, a manager's objects per agent and
new demand against new supply."""

from __future__ import annotations

import pytest

from crmkit import api

from estate_records import add_object, add_person, log_showing


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def card(page: str, title: str) -> str:
    return page.split(f">{title}<", 1)[1].split("</section>", 1)[0]


def test_an_agent_sees_their_objects_on_the_market(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        add_object(agent, number="AL-7"), add_object(agent, number="AL-8")
        add_object(make_user("agent"), number="AL-9")
    mine = card(client_for(agent).get("/").get_data(as_text=True), "My active objects")
    assert "2 objects on the market" in mine and "AL-7" in mine and "AL-9" not in mine


def test_an_agent_sees_this_weeks_showings_of_objects(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent, number="AL-5")
        log_showing(agent, flat.id)
    assert "AL-5" in card(client_for(agent).get("/").get_data(as_text=True), "Showings this week")


def test_a_manager_sees_objects_per_agent_of_their_team(app, make_user, client_for):
    manager = make_user("manager", department="Sales")
    agent = make_user("agent", department="Sales", manager=manager, name="Aliya Agent")
    with app.test_request_context():
        add_object(agent), add_object(agent)
    team = card(client_for(manager).get("/").get_data(as_text=True), "Objects per agent")
    assert "Aliya Agent" in team and "<td>2</td>" in team


def test_a_manager_sees_new_objects_beside_new_demands_by_kind(app, make_user, client_for):
    manager = make_user("manager")
    with app.test_request_context():
        add_object(manager)
        api.Records("real_estate.demand", manager).create({
            "person_id": add_person(manager).id, "kind": "apartment", "deal_type": "sale", "city": "Алматы",
            "budget_max": "45000000", "currency": "KZT"})
    rows = card(client_for(manager).get("/").get_data(as_text=True), "New demand and supply this month")
    assert "<td>Apartment</td><td>1</td><td>1</td>" in rows.replace("\n", "")
