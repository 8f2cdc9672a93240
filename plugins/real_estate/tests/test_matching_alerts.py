"""A new, repriced or returning object tells the agents whose buyers it meets, after the save
commits; automation rules on objects may start on it."""

import pytest
from sqlalchemy import select

from crmkit import api
from crmkit.core.automation import rules
from crmkit.core.automation.models import RuleRun
from crmkit.core.notifications.models import Notification

from demand_data import add_demand

PROPERTY = "real_estate.property"
FLAT = {"kind": "apartment", "deal_type": "sale", "city": "Алматы", "district": "Медеуский", "street": "Абая",
        "area": "60", "rooms": 2, "price": "40000000", "currency": "KZT"}


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, AUTOMATION_CACHE_SECONDS=0)


def notifications(user):
    statement = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    return list(api.session().execute(statement).scalars())


def list_object(user, **fields):
    return api.Records(PROPERTY, user).create({**FLAT, **fields})


def test_a_new_object_notifies_the_agent_whose_buyer_it_meets(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        wanted = add_demand(buyers)
        prop = list_object(listing)
        found = notifications(buyers)
        assert [(n.kind, n.record_entity, n.record_id) for n in found] == [("real_estate.match", PROPERTY, prop.id)]
        assert found[0].url == f"/real-estate/demands/{wanted.id}/objects"
        assert prop.number in found[0].title and notifications(listing) == []


def test_an_agent_with_several_matching_buyers_gets_one_notification_to_the_object_s_demands(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers)
        add_demand(buyers)
        prop = list_object(listing)
        found = notifications(buyers)
        assert len(found) == 1 and found[0].url == f"/real-estate/objects/{prop.id}/demands"
        assert "2 of your buyers" in found[0].title


def test_an_object_nobody_wants_notifies_nobody(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers, budget_max="10000000")
        list_object(listing)
        assert notifications(buyers) == []


def test_a_lower_price_that_meets_a_budget_notifies_its_agent(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers, budget_max="35000000")
        prop = list_object(listing)
        assert notifications(buyers) == []
        api.Records(PROPERTY, listing).update(prop, {"price": "34000000"}, None)
        assert [n.title.split(":")[0] for n in notifications(buyers)] == ["A new price"]


def test_a_change_of_description_tells_nobody_again(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers)
        prop = list_object(listing)
        api.Records(PROPERTY, listing).update(prop, {"description": "Ремонт 2024 года"}, None)
        assert len(notifications(buyers)) == 1


def test_an_automation_rule_starts_on_matched_buyers(app, make_user):
    admin, listing, buyers = make_user("admin"), make_user("agent"), make_user("agent")
    with app.test_request_context():
        rules.save(api.session(), {"enabled": True, "name": "Call the matched buyers", "entity": PROPERTY,
                                   "trigger": {"type": "real_estate.demands_matched", "reason": "new"},
                                   "actions": [{"type": "create_task", "subject": "Call the buyers"}]}, admin)
        add_demand(buyers)
        prop = list_object(listing)
        statement = select(RuleRun.result).where(RuleRun.record_id == prop.id)
        assert list(api.session().execute(statement).scalars()) == ["ok"]


def test_the_notification_reads_in_the_agent_s_language(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent", locale="kk")
    with app.test_request_context():
        add_demand(buyers)
        prop = list_object(listing)
        assert [n.title for n in notifications(buyers)] == \
            [f"Жаңа нысан: {prop.number} сіздің сатып алушыларыңыздың 1 өтініміне сай келеді"]


def test_an_object_back_on_the_market_tells_the_agent_again(app, make_user):
    listing, buyers = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_demand(buyers)
        records = api.Records(PROPERTY, listing)
        prop = list_object(listing)
        prop = records.update(prop, {"status": "withdrawn"}, None)
        assert len(notifications(buyers)) == 1  # leaving the market tells nobody
        records.update(prop, {"status": "active"}, None)
        assert [n.title.split(":")[0] for n in notifications(buyers)] == ["A new object", "Back on the market"]
