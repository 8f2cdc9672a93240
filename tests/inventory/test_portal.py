"""A listing portal's lead, delivered to the core's signed webhook, carries the listing it came
from: the lead is about that item; a listing the CRM does not have costs nothing."""

from crmkit import api
from tests.inventory.conftest import add_car
from tests.leads.conftest import deliver, make_sender  # noqa: F401 - the webhook's fixtures


def test_a_portal_lead_naming_a_listing_by_number_is_about_it(app, make_user, make_sender, deliver):
    car = add_car(app, make_user("agent"), plate="777 ABC 02")
    key, secret, _ = make_sender("Kolesa.kz")
    response = deliver(key, secret, {"id": "ad-1", "name": "Dana", "phone": "+7 701 111 22 33",
                                     "items": ["777 ABC 02", "NOT LISTED"]})
    assert response.status_code == 202, response.json
    with app.app_context():
        assert api.items_of("lead", response.json["lead_id"]) == [("garage.car", car)]


def test_a_portal_may_name_a_listing_by_entity_and_id(app, make_user, make_sender, deliver):
    car = add_car(app, make_user("agent"))
    key, secret, _ = make_sender("Kolesa.kz")
    response = deliver(key, secret, {"id": "ad-2", "name": "Dana", "item": f"garage.car:{car}"})
    with app.app_context():
        assert api.items_of("lead", response.json["lead_id"]) == [("garage.car", car)]
