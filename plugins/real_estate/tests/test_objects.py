"""Property objects as agents list them: a listing number, each kind's own fields, the status
workflow, and the price's history."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit_real_estate.models import PriceChange
from objects_helpers import URL, change, create, refused_fields


def history(app, record):
    with app.app_context():
        rows = db.session().execute(select(PriceChange).where(PriceChange.property_id == record["id"])
                                    .order_by(PriceChange.id)).scalars()
        return [(row.old_price and str(row.old_price), str(row.new_price)) for row in rows]


def test_an_object_without_a_number_gets_the_next_listing_number(api_client):
    agent = api_client("agent")
    first, second = create(agent), create(agent)
    assert first["number"].startswith("RE-") and first["number"] != second["number"]


def test_a_number_another_object_has_is_refused_under_the_field(api_client):
    agent = api_client("agent")
    create(agent, number="AL-00123")
    assert refused_fields(agent.post(URL, json={"kind": "house",
                                               "deal_type": "sale", "city": "Almaty", "area": "120",
                                               "land_area": "6", "price": "1", "number": "AL-00123"})) == ["number"]


def test_land_keeps_no_rooms_or_floors_even_when_sent(api_client):
    plot = create(api_client("agent"), kind="land", land_area="10", rooms=3, floor=2, floors=4)
    assert (plot["rooms"], plot["floor"], plot["floors"], plot["land_area"]) == (None, None, None, "10.00")


def test_land_needs_its_size_in_sotkas(api_client):
    agent = api_client("agent")
    assert refused_fields(agent.post(URL, json={"kind": "land", "deal_type": "sale", "city": "Almaty", "area": "1000",
                                               "price": "5000000"})) == ["land_area"]


def test_a_floor_above_the_buildings_floors_is_refused(api_client):
    agent = api_client("agent")
    flat = create(agent)
    assert refused_fields(change(agent, flat, floor=12)) == ["floor"]


def test_the_new_form_shows_only_the_chosen_kinds_fields(app, client_for, make_user):
    page = client_for(make_user("agent")).get("/real_estate/property/new?kind=land").get_data(as_text=True)
    wrapper = page.split('id="f-rooms"')[0].rsplit('<div class="field', 1)[1]
    assert "hidden" in wrapper and 'data-when-values="apartment house"' in wrapper


def test_an_object_is_sold_only_after_being_reserved_and_then_counts_as_closed(api_client):
    agent = api_client("agent")
    flat = create(agent)
    assert change(agent, flat, status="sold").status_code == 422
    reserved = change(agent, flat, status="reserved").get_json()
    sold = change(agent, reserved, status="sold").get_json()
    assert sold["status"] == "sold" and sold["closed_at"] is not None


def test_a_withdrawn_object_returns_to_the_market(api_client):
    agent = api_client("agent")
    withdrawn = change(agent, create(agent), status="withdrawn").get_json()
    assert withdrawn["closed_at"] is not None
    back = change(agent, withdrawn, status="active").get_json()
    assert back["status"] == "active" and back["closed_at"] is None


def test_every_price_change_is_kept_with_the_old_and_new_price(app, api_client):
    agent = api_client("agent")
    flat = create(agent, price="42000000")
    cheaper = change(agent, flat, price="40000000").get_json()
    change(agent, cheaper, description="Renovated")
    assert history(app, flat) == [(None, "42000000.00"), ("42000000.00", "40000000.00")]


@pytest.mark.parametrize("kind,fields", [
    ("apartment", {"rooms": 2, "floor": 3, "floors": 5}),
    ("house", {"rooms": 5, "floors": 2, "land_area": "8"}),
    ("commercial", {"floor": 1, "floors": 3}),
])
def test_each_kind_keeps_its_own_fields(api_client, kind, fields):
    made = create(api_client("agent"), kind=kind, **{"rooms": None, "floor": None, "floors": None, **fields})
    assert {name: made[name] for name in fields} == {k: (f"{v}.00" if k == "land_area" else v) for k, v in fields.items()}
