"""The "About objects" field as users meet it on the forms of calls, leads and deals: typed
numbers or picked suggestions, refused per field when unknown, shown on both records' pages."""

from sqlalchemy import select

from crmkit import api, db
from crmkit.core.inventory.models import InventoryLink
from tests.inventory.conftest import add_activity, add_car
from tests.picking import post

CALL = {"kind": "call", "subject": "Asked about the Camry", "happened_at": "2026-03-02T10:00"}


def links(app):
    with app.app_context():
        return db.session().execute(select(InventoryLink.subject_entity, InventoryLink.item_id)).all()


def test_the_call_form_offers_the_about_objects_field(app, make_user, client_for):
    page = client_for(make_user("agent")).get("/activity/new").get_data(as_text=True)
    assert 'name="inventory.items"' in page and "About objects" in page


def test_without_inventory_entities_no_form_offers_the_field(make_app, make_user, client_for):
    plain = make_app(plugins=[], DEFAULT_LOCALE="en")
    client = client_for(make_user("agent", app=plain), app=plain)
    assert 'name="inventory.items"' not in client.get("/activity/new").get_data(as_text=True)


def test_a_call_saved_with_typed_numbers_is_about_those_cars(app, make_user, client_for):
    agent = make_user("agent")
    car = add_car(app, agent, plate="777 ABC 02")
    response = post(client_for(agent), "/activity/new", **CALL, **{"inventory.items": "777 abc 02"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert links(app) == [("activity", car)]


def test_an_unknown_number_is_refused_under_the_field_and_nothing_is_saved(app, make_user, client_for):
    agent = make_user("agent")
    add_car(app, agent, plate="777 ABC 02")
    response = post(client_for(agent), "/activity/new", **CALL, **{"inventory.items": "777 ABC 02, 999 ZZZ 99"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "999 ZZZ 99" in page and 'id="e-inventory.items"' in page
    assert links(app) == []


def test_the_call_page_links_its_cars_and_the_car_page_lists_the_call(app, make_user, client_for):
    agent = make_user("agent")
    car = add_car(app, agent, plate="777 ABC 02", model="Camry")
    client = client_for(agent)
    response = post(client, "/activity/new", **CALL, **{"inventory.items": "777 ABC 02"})
    call_page = client.get(response.location).get_data(as_text=True)
    assert f'href="/garage/car/{car}"' in call_page
    car_page = client.get(f"/garage/car/{car}").get_data(as_text=True)
    assert "Asked about the Camry" in car_page and "Activities: 1" in car_page


def test_editing_the_field_unlinks_the_numbers_taken_out(app, make_user, api_client):
    agent = make_user("agent")
    camry, corolla = add_car(app, agent, plate="A1"), add_car(app, agent, plate="B2")
    client = api_client(agent)
    made = client.post("/api/v1/activity", json={**CALL, "inventory": {"items": ["A1", "B2"]}}).get_json()
    assert sorted(item for _s, item in links(app)) == [camry, corolla]
    changed = client.patch(f"/api/v1/activity/{made['id']}", json={"version": made["version"], "inventory": {"items": "B2"}})
    assert changed.status_code == 200 and changed.get_json()["inventory"]["items"] == "B2"
    assert [item for _s, item in links(app)] == [corolla]


def test_the_api_refuses_an_item_the_user_does_not_see_naming_the_field(app, make_user, api_client):
    mine, other = make_user("agent"), make_user("agent")
    theirs = add_car(app, other)
    response = api_client(mine).post("/api/v1/activity", json={**CALL, "inventory": {"items": [f"garage.car:{theirs}"]}})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) == ["inventory.items"]


def test_suggestions_find_a_car_by_plate_or_by_a_price_near_the_typed_one(app, make_user, client_for):
    agent = make_user("agent")
    add_car(app, agent, plate="777 ABC 02", price="12000000")
    add_car(app, agent, plate="001 AAA 01", price="30000000")
    client = client_for(agent)
    by_plate = client.get("/inventory/suggest?q=777").get_json()["results"]
    by_price = client.get("/inventory/suggest?q=12 500 000").get_json()["results"]
    assert [r["title"] for r in by_plate] == ["777 ABC 02"] and [r["title"] for r in by_price] == ["777 ABC 02"]


def test_suggestions_leave_out_what_the_user_does_not_see(app, make_user, client_for):
    mine, other = make_user("agent"), make_user("agent")
    add_car(app, other, plate="777 ABC 02")
    assert client_for(mine).get("/inventory/suggest?q=777").get_json()["results"] == []


def test_suggestions_need_a_logged_in_user(app, client):
    assert client.get("/inventory/suggest?q=777").status_code in (302, 401)


def test_the_calls_list_filters_by_the_car_they_are_about(app, make_user, client_for):
    agent = make_user("agent")
    car = add_car(app, agent, plate="777 ABC 02")
    about, other = add_activity(app, agent, "About the Camry"), add_activity(app, agent, "Something else")
    with app.test_request_context():
        api.link_items("activity", about, [("garage.car", car)])
        db.session().commit()
    page = client_for(agent).get(f"/activity/?inventory.items=garage.car:{car}").get_data(as_text=True)
    assert "About the Camry" in page and "Something else" not in page



def test_the_lead_and_deal_forms_offer_the_field_too(app, make_user, client_for):
    client = client_for(make_user("manager"))
    assert 'name="inventory.items"' in client.get("/lead/new").get_data(as_text=True)
    assert 'name="inventory.items"' in client.get("/deal/new").get_data(as_text=True)


def test_the_history_keeps_what_a_record_was_about(app, make_user, api_client):
    agent = make_user("agent")
    add_car(app, agent, plate="A1")
    add_car(app, agent, plate="B2")
    client = api_client(agent)
    made = client.post("/api/v1/activity", json={**CALL, "inventory": {"items": "A1"}}).get_json()
    client.patch(f"/api/v1/activity/{made['id']}", json={"version": made["version"], "inventory": {"items": "A1, B2"}})
    with app.test_request_context():
        from crmkit.core.auth.models import User

        records = api.Records("activity", db.session().get(User, agent.id))
        [update, create] = [change.changes for change in records.history(records.get(made["id"]))]
    assert create["inventory.items"] == [None, "A1"] and update["inventory.items"] == ["A1", "A1, B2"]


def test_a_new_call_form_may_be_opened_about_an_item(app, make_user, client_for):
    agent = make_user("agent")
    add_car(app, agent, plate="777 ABC 02")
    page = client_for(agent).get("/activity/new?kind=call&inventory.items=777 ABC 02").get_data(as_text=True)
    assert 'name="inventory.items" value="777 ABC 02"' in page
