"""Offers: a buyer's offer for an object, its workflow, its name, and the object's page listing it."""

from __future__ import annotations

import pytest

from crmkit import api
from crmkit.testing import csrf_token

from estate_records import PROPERTY, add_object, add_person, add_pipeline

KEY = "real_estate.offer"


@pytest.fixture
def app(make_app):
    """Pages in English, whatever the deployment's default language."""
    return make_app(DEFAULT_LOCALE="en")


def offer(user, property_id, person_id, **fields):
    return api.Records(KEY, user).create({"property_id": property_id, "person_id": person_id, "amount": "40000000", **fields})


def test_an_offer_is_named_by_its_objects_number_and_amount(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent, number="AL-00123")
        made = offer(agent, flat.id, add_person(agent).id, amount="39500000")
    assert made.title == "AL-00123: 39\u00a0500\u00a0000 KZT" and made.status == "proposed"


def test_an_offer_of_nothing_is_refused_under_the_amount(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        try:
            offer(agent, flat.id, add_person(agent).id, amount="0")
        except api.Invalid as error:
            assert list(error.fields) == ["amount"]
        else:
            raise AssertionError("an offer of 0 was saved")


def test_a_declined_offer_cannot_be_accepted_without_being_proposed_again(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        made = offer(agent, flat.id, add_person(agent).id)
        records = api.Records(KEY, agent)
        records.update(made, {"status": "declined"}, None)
        try:
            records.update(made, {"status": "accepted"}, None)
        except api.Invalid as error:
            assert "status" in error.fields
        else:
            raise AssertionError("a declined offer was accepted")


def test_an_offer_with_a_deal_makes_the_deal_about_the_object(app, make_user, admin_client):
    pipeline = add_pipeline(admin_client)
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        deal = api.Records("deal", agent).create({"title": "Сделка", "pipeline_id": pipeline})
        offer(agent, flat.id, add_person(agent).id, deal_id=deal.id)
        assert (PROPERTY, flat.id) in api.items_of("deal", deal.id)


def test_the_object_page_lists_its_offers_with_the_best_open_one(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        buyer = add_person(agent).id
        offer(agent, flat.id, buyer, amount="39000000")
        offer(agent, flat.id, buyer, amount="41000000")
    page = client_for(agent).get(f"/real_estate/property/{flat.id}").get_data(as_text=True)
    best = page.split('<h2>Offers</h2>', 1)[1].split("</strong>", 1)[0]
    assert "41,000,000" in best and "39,000,000" not in best


def test_the_offer_form_shows_a_negative_amount_as_an_error_under_the_amount(app, make_user, client_for):
    agent = make_user("agent", locale="ru")
    with app.test_request_context():
        flat = add_object(agent)
        person = add_person(agent).id
    client = client_for(agent)
    token = csrf_token(client, f"/real_estate/offer/new?property_id={flat.id}")
    response = client.post("/real_estate/offer/new", data={"property_id": flat.id, "person_id": person, "amount": "-5",
                                                           "currency": "KZT", "csrf_token": token})
    assert response.status_code == 422 and 'id="e-amount"' in response.get_data(as_text=True)
