"""An object's statistics on its page: what is about it, its days on market and price changes."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

from crmkit import api
from crmkit_real_estate import statistics

from estate_records import PROPERTY, add_lead, add_object, add_pipeline, add_deal, log_call, log_showing


def figures_on_page(client, property_id) -> dict[str, str]:
    page = client.get(f"/real_estate/property/{property_id}").get_data(as_text=True)
    return dict(re.findall(r'data-figure="(\w+)">([^<]*)<', page))


def test_the_object_page_counts_the_calls_showings_and_leads_about_it(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        log_call(agent, flat.id), log_call(agent, flat.id), log_showing(agent, flat.id), add_lead(agent, flat.id)
        other = add_object(agent)
        log_call(agent, other.id)
    found = figures_on_page(client_for(agent), flat.id)
    assert (found["calls"], found["showings"], found["leads"], found["offers"]) == ("2", "1", "1", "0")


def test_a_deal_about_the_object_counts_among_its_deals(app, make_user, client_for, admin_client):
    pipeline = add_pipeline(admin_client)
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        add_deal(agent, flat.id, pipeline)
    assert figures_on_page(client_for(agent), flat.id)["deals"] == "1"


def test_an_archived_call_no_longer_counts(app, make_user, client_for):
    manager = make_user("manager")
    with app.test_request_context():
        flat = add_object(manager)
        call = log_call(manager, flat.id)
        log_call(manager, flat.id)
        api.Records("activity", manager).archive(call)
    assert figures_on_page(client_for(manager), flat.id)["calls"] == "1"


def test_each_new_price_counts_as_a_price_change_but_the_first_does_not(app, make_user, client_for):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        records = api.Records(PROPERTY, agent)
        records.update(flat, {"price": "40000000"}, None)
        records.update(flat, {"price": "38500000"}, None)
    assert figures_on_page(client_for(agent), flat.id)["price_changes"] == "2"


def test_days_on_market_run_from_publication_to_closing():
    listed = SimpleNamespace(published_at=datetime(2026, 1, 1, 9, tzinfo=UTC), created_at=None,
                             closed_at=datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert statistics.days_on_market(listed) == 60


def test_days_on_market_of_an_open_object_run_to_now():
    listed = SimpleNamespace(published_at=datetime(2026, 1, 1, 9, tzinfo=UTC), created_at=None, closed_at=None)
    assert statistics.days_on_market(listed, now=datetime(2026, 1, 11, 9, tzinfo=UTC)) == 10
