"""Matching both ways: which demands an object meets and which objects meet a demand, with a
score, on the pages and against a plain Python reading of the rule over random data."""

import random

import pytest
from decimal import Decimal

from sqlalchemy import select

from crmkit import api
from crmkit_real_estate import demand, matching_views
from crmkit_real_estate.demand_models import Demand
from crmkit_real_estate.models import Property

from demand_data import add_bulk, add_demand, add_object, random_demand, random_object


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def matched_demands(user, prop):
    found, _others = matching_views.demand_matches(user, prop, 1, 10_000)
    return [record.id for record, _score in found.rows]


def matched_objects(user, record):
    return [prop.id for prop, _score in matching_views.object_matches(user, record, 1, 10_000).rows]


def test_an_object_meets_a_demand_of_its_kind_city_and_deal(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        wanted = add_demand(agent)
        add_demand(agent, city="Астана", districts=None)
        add_demand(agent, kind="house")
        add_demand(agent, deal_type="rent")
        assert matched_demands(agent, add_object(agent)) == [wanted.id]


def test_a_demand_naming_other_districts_is_not_met(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        add_demand(agent, districts="Алмалинский")
        anywhere = add_demand(agent, districts=None)
        assert matched_demands(agent, add_object(agent, district="Медеуский")) == [anywhere.id]


def test_a_price_above_the_budget_is_not_met(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, budget_max="45000000")
        add_object(agent, price=Decimal("46000000"))
        assert matched_objects(agent, record) == []


def test_a_budget_in_another_currency_is_not_met(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, budget_max="100000", currency="USD")
        add_object(agent, price=Decimal("90000"), currency="KZT")
        dollars = add_object(agent, price=Decimal("90000"), currency="USD")
        assert matched_objects(agent, record) == [dollars.id]


def test_an_object_without_rooms_never_meets_a_demand_that_counts_them(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, rooms_min=2, rooms_max=None)
        add_object(agent, rooms=None)
        assert matched_objects(agent, record) == []


def test_objects_off_the_market_are_not_offered(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent)
        add_object(agent, status="reserved")
        add_object(agent, status="sold")
        assert matched_objects(agent, record) == []


def test_the_closer_price_to_the_budget_scores_higher(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        record = add_demand(agent, budget_max="45000000")
        cheap = add_object(agent, price=Decimal("20000000"))
        close = add_object(agent, price=Decimal("44000000"))
        rows = matching_views.object_matches(agent, record, 1, 10).rows
        assert [prop.id for prop, _score in rows] == [close.id, cheap.id]
        assert 0 < rows[1][1] < rows[0][1] <= 100


def test_a_demand_naming_the_district_ranks_above_one_taking_any(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        anywhere = add_demand(agent, districts=None)
        named = add_demand(agent, districts="Медеуский")
        assert matched_demands(agent, add_object(agent, district="Медеуский")) == [named.id, anywhere.id]


def test_the_demands_page_is_paginated(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        for _ in range(23):
            add_demand(agent)
        prop = add_object(agent)
    client = client_for(agent)
    first = client.get(f"/real-estate/objects/{prop.id}/demands").get_data(as_text=True)
    second = client.get(f"/real-estate/objects/{prop.id}/demands?page=2").get_data(as_text=True)
    assert first.count("<tr><td><a") == 20 and 'rel="next"' in first
    assert second.count("<tr><td><a") == 3 and 'rel="next"' not in second


def test_an_agent_sees_other_agents_matching_demands_only_as_a_count(app, make_user, client_for):
    mine, theirs = make_user("agent"), make_user("agent")
    with app.test_request_context():
        own = add_demand(mine)
        add_demand(theirs)
        add_demand(theirs)
        prop = add_object(mine)
        found, others = matching_views.demand_matches(mine, prop, 1, 20)
        assert [record.id for record, _score in found.rows] == [own.id] and others == 2
    page = client_for(mine).get(f"/real-estate/objects/{prop.id}/demands").get_data(as_text=True)
    assert "2 more demands" in page


def test_a_demand_lists_every_matching_active_object_and_links_those_the_agent_sees(app, make_user, client_for):
    buyer_agent, listing_agent = make_user("agent"), make_user("agent")
    with app.test_request_context():
        record = add_demand(buyer_agent)
        own = add_object(buyer_agent)
        other = add_object(listing_agent)
    page = client_for(buyer_agent).get(f"/real-estate/demands/{record.id}/objects").get_data(as_text=True)
    assert f'{own.number}</a>' in page and f'<td>{other.number}</td>' in page


def test_someone_elses_demand_is_not_found(app, make_user, client_for):
    owner, stranger = make_user("agent"), make_user("agent")
    with app.test_request_context():
        record = add_demand(owner)
    assert client_for(stranger).get(f"/real-estate/demands/{record.id}/objects").status_code == 404


def reference_match(d, p):
    """The rule in plain Python, written from its description, not from the SQL."""
    if d.status != "active" or p.status != "active":
        return False
    if (d.deal_type, d.kind, d.city) != (p.deal_type, p.kind, p.city):
        return False
    named = demand.split_districts(d.districts)
    if named and p.district not in named:
        return False
    if (d.budget_min is not None or d.budget_max is not None) and d.currency != p.currency:
        return False
    for value, low, high in ((p.price, d.budget_min, d.budget_max), (p.rooms, d.rooms_min, d.rooms_max),
                             (p.area, d.area_min, d.area_max)):
        if low is not None and (value is None or value < low):
            return False
        if high is not None and (value is None or value > high):
            return False
    return True


def test_matching_both_ways_equals_the_rule_read_in_python(app, make_user):
    admin = make_user("admin")
    rng = random.Random(20)
    with app.test_request_context():
        add_bulk(admin.id, [random_object(rng) for _ in range(150)], [random_demand(rng) for _ in range(150)])
        db = api.session()
        objects = list(db.execute(select(Property)).scalars())
        demands = list(db.execute(select(Demand)).scalars())
        pairs = {(d.id, p.id) for d in demands for p in objects if reference_match(d, p)}
        assert len(pairs) > 20  # the data gives the rule something to find
        by_object = {(d_id, p.id) for p in objects if p.status == "active" for d_id in matched_demands(admin, p)}
        by_demand = {(d.id, p_id) for d in demands if d.status == "active" for p_id in matched_objects(admin, d)}
        assert by_object == pairs and by_demand == pairs


def test_an_object_s_page_shows_its_matching_demands(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        wanted = add_demand(agent)
        prop = add_object(agent)
        url = api.detail_url("real_estate.property", prop)
    page = client_for(agent).get(url).get_data(as_text=True)
    assert "Matching demands" in page and wanted.summary in page


def test_a_demand_s_page_shows_its_matching_objects(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        wanted = add_demand(agent)
        prop = add_object(agent)
        url = api.detail_url(demand.KEY, wanted)
    page = client_for(agent).get(url).get_data(as_text=True)
    assert "Matching objects" in page and f"{prop.number}</a>" in page
