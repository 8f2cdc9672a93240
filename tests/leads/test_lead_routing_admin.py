"""The lead assignment page: rules added, changed, ordered and deleted; the fallback and the
deadlines per channel; bad input saves nothing; only admins get in."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.lead_routing.models import RoutingSettings, Rule
from crmkit.testing import csrf_token
from tests.leads.routing import accept, arrive

PAGE = "/admin/lead_routing/"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def agent(make_user):
    return make_user("agent", name="Aigerim Agent", department="Sales")


def post(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, PAGE), **fields})


def stored_rules(app):
    with app.app_context():
        rows = db.session().execute(select(Rule).order_by(Rule.position)).scalars().all()
        return [(r.name, r.strategy, r.user_id, r.department_id, r.conditions, r.on_arrival) for r in rows]


def test_an_admin_adds_a_rule_that_assigns_leads(app, admin_client, agent, make_source, make_user):
    source = make_source("krisha", utm_source="krisha")
    form = {"name": "Krisha to Aigerim", "active": "1", "strategy": "user", "user_id": agent.id,
            "cond:lead_routing.source": str(source), "cond:lead_routing.words": "квартир\nдом\n"}
    assert post(admin_client, PAGE + "rules/new", **form).status_code == 302
    assert stored_rules(app) == [("Krisha to Aigerim", "user", agent.id, None,
                                  {"lead_routing.source": [str(source)], "lead_routing.words": ["квартир", "дом"]}, False)]
    page = admin_client.get(PAGE).get_data(as_text=True)
    assert "Krisha to Aigerim" in page and "Words in the request: квартир, дом" in page
    admin = make_user("admin")
    lead = accept(app, arrive(app, utm={"utm_source": "krisha"}, request="Ищу квартиру"), admin.id)
    assert lead.owner_id == agent.id


def test_a_rule_without_its_target_is_refused_with_messages(app, admin_client):
    response = post(admin_client, PAGE + "rules/new", name="", strategy="round_robin", department_id="")
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "Give the rule a name." in body and "Choose the team (department)" in body
    assert stored_rules(app) == []


def test_a_choice_not_offered_is_refused(app, admin_client, agent):
    response = post(admin_client, PAGE + "rules/new", name="Odd", strategy="user", user_id=agent.id,
                    **{"cond:lead_routing.channel": "carrier-pigeon"})
    assert response.status_code == 422 and "Choose from the list." in response.get_data(as_text=True)


def test_a_rule_is_changed_on_its_page(app, admin_client, agent):
    post(admin_client, PAGE + "rules/new", name="First", strategy="user", user_id=agent.id)
    with app.app_context():
        rule_id = db.session().execute(select(Rule.id)).scalar()
    assert "First" in admin_client.get(f"{PAGE}rules/{rule_id}").get_data(as_text=True)
    post(admin_client, f"{PAGE}rules/{rule_id}", name="Renamed", strategy="user", user_id=agent.id, on_arrival="1")
    assert stored_rules(app)[0][0] == "Renamed" and stored_rules(app)[0][5] is True


def test_rules_are_ordered_and_deleted(app, admin_client, agent):
    for name in ("A", "B", "C"):
        post(admin_client, PAGE + "rules/new", name=name, strategy="user", user_id=agent.id)
    with app.app_context():
        ids = {r.name: r.id for r in db.session().execute(select(Rule)).scalars()}
    post(admin_client, f"{PAGE}rules/{ids['C']}/move", direction="up")
    assert [r[0] for r in stored_rules(app)] == ["A", "C", "B"]
    post(admin_client, f"{PAGE}rules/{ids['A']}/delete")
    assert [r[0] for r in stored_rules(app)] == ["C", "B"]


def test_the_fallback_and_deadlines_are_saved(app, admin_client, agent):
    response = post(admin_client, PAGE + "settings", fallback_user_id=agent.id, **{"deadline:form": "45", "deadline:email": "",
                                                                                 "deadline:*": "90"})
    assert response.status_code == 302
    with app.app_context():
        row = db.session().get(RoutingSettings, 1)
        assert (row.fallback_user_id, row.deadlines["form"], row.deadlines["email"], row.deadlines["*"]) == (agent.id, 45, None, 90)
    assert 'value="45"' in admin_client.get(PAGE).get_data(as_text=True)


def test_a_bad_deadline_saves_nothing(app, admin_client):
    response = post(admin_client, PAGE + "settings", **{"deadline:form": "-5"})
    assert response.status_code == 422 and "Enter whole minutes" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(RoutingSettings, 1) is None


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_only_admins_set_up_assignment(app, client_for, role):
    assert client_for(role).get(PAGE).status_code == 403
