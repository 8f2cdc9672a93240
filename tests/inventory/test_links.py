"""Inventory links through crmkit.api, as a plugin uses them: both ways, counted, permission-checked."""

import pytest
from sqlalchemy import func, select

from crmkit import api, db
from crmkit.core.auth.models import User
from crmkit.core.inventory.models import InventoryLink
from tests.inventory.conftest import add_activity, add_car

CAR = "garage.car"


def acting(app, user):
    return db.session().get(User, user.id)


def test_a_call_linked_to_cars_lists_them_and_each_car_lists_the_call(app, make_user):
    agent = make_user("agent")
    camry, corolla = add_car(app, agent), add_car(app, agent, plate="001 AAA 01", model="Corolla")
    call = add_activity(app, agent)
    with app.test_request_context():
        api.link_items("activity", call, [(CAR, camry), (CAR, corolla)], user=acting(app, agent))
        db.session().commit()
        assert api.items_of("activity", call) == [(CAR, camry), (CAR, corolla)]
        assert [(key, subject) for key, subject, _at in api.subjects_of(CAR, corolla)] == [("activity", call)]


def test_linking_an_item_twice_keeps_one_link(app, make_user):
    agent = make_user("agent")
    car, call = add_car(app, agent), add_activity(app, agent)
    with app.test_request_context():
        assert api.link_items("activity", call, [(CAR, car)]) == [(CAR, car)]
        assert api.link_items("activity", call, [(CAR, car), (CAR, car)]) == []
        db.session().commit()
        assert db.session().execute(select(func.count()).select_from(InventoryLink)).scalar() == 1


def test_unlinking_removes_only_that_link(app, make_user):
    agent = make_user("agent")
    camry, corolla = add_car(app, agent), add_car(app, agent, plate="001 AAA 01")
    call = add_activity(app, agent)
    with app.test_request_context():
        api.link_items("activity", call, [(CAR, camry), (CAR, corolla)])
        assert api.unlink_item("activity", call, CAR, camry, user=acting(app, agent)) is True
        assert api.unlink_item("activity", call, CAR, camry) is False
        assert api.items_of("activity", call) == [(CAR, corolla)]


def test_count_subjects_counts_each_kind_of_record_per_item(app, make_user):
    agent = make_user("agent")
    camry, corolla = add_car(app, agent), add_car(app, agent, plate="001 AAA 01")
    calls = [add_activity(app, agent, f"Call {n}") for n in range(3)]
    with app.test_request_context():
        for call in calls:
            api.link_items("activity", call, [(CAR, camry)])
        api.link_items("activity", calls[0], [(CAR, corolla)])
        assert api.count_subjects(CAR, [camry, corolla, 999]) == {camry: {"activity": 3}, corolla: {"activity": 1}, 999: {}}


def test_an_agent_cannot_link_a_car_they_do_not_see(app, make_user):
    mine, other = make_user("agent"), make_user("agent")
    theirs, call = add_car(app, other), add_activity(app, mine)
    with app.test_request_context(), pytest.raises(api.Invalid) as refused:
        api.link_items("activity", call, [(CAR, theirs)], user=acting(app, mine))
    assert list(refused.value.fields) == ["items"]


def test_an_agent_cannot_link_items_to_a_record_they_do_not_see(app, make_user):
    mine, other = make_user("agent"), make_user("agent")
    car, their_call = add_car(app, mine), add_activity(app, other)
    with app.test_request_context(), pytest.raises(api.NotFound):
        api.link_items("activity", their_call, [(CAR, car)], user=acting(app, mine))


def test_an_entity_that_is_not_inventory_cannot_be_linked(app, make_user):
    agent = make_user("agent")
    call, other_call = add_activity(app, agent), add_activity(app, agent)
    with app.test_request_context(), pytest.raises(api.Invalid):
        api.link_items("activity", call, [("activity", other_call)])


def test_subjects_of_shows_a_user_only_the_records_they_see(app, make_user):
    mine, other = make_user("agent"), make_user("agent")
    car = add_car(app, mine)
    my_call, their_call = add_activity(app, mine), add_activity(app, other)
    with app.test_request_context():
        api.link_items("activity", my_call, [(CAR, car)])
        api.link_items("activity", their_call, [(CAR, car)])
        seen = api.subjects_of(CAR, car, user=acting(app, mine))
        assert [subject for _key, subject, _at in seen] == [my_call]
        assert len(api.subjects_of(CAR, car)) == 2


def test_a_lead_received_from_a_portal_is_about_the_listing_it_names(app, make_user):
    agent = make_user("agent")
    car = add_car(app, agent, plate="777 ABC 02")
    with app.test_request_context():
        lead, created = api.receive_lead(api.Incoming(channel="api", name="Dana", phones=["+77011234567"],
                                                      external_id="portal-1",
                                                      items=[(CAR, "777 ABC 02"), (CAR, "NO SUCH")]))
        db.session().commit()
        assert created and api.items_of("lead", lead.id) == [(CAR, car)]


def test_hook_inventory_entities(app):
    with app.app_context():
        declared = app.extensions["crmkit.inventory"]
        assert list(declared) == [CAR] and declared[CAR].number_fields == ("price",)


def test_a_lead_converted_into_a_deal_makes_the_deal_about_the_leads_items(app, make_user, client_for):
    from tests.leads.triaging import arrive, lead_of, new_pipeline, post

    manager = make_user("manager", department="Sales", locale="en")
    car = add_car(app, manager)
    new_pipeline(app)
    lead_id = arrive(app, name="Dana", items=[(CAR, car)])
    page = f"/lead_triage/{lead_id}/convert"
    response = post(client_for(manager), page, {"person": "new", "organization": "none", "deal": "new", "title": "Camry"}, page)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert api.items_of("deal", lead_of(app, lead_id).deal_id) == [(CAR, car)]
