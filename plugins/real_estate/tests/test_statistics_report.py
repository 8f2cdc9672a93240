"""The objects report: objects, calls and sales per price band, and object by object."""

from __future__ import annotations

import pytest

from crmkit import api

from estate_records import PROPERTY, add_object, csv_rows, log_call, log_showing

URL = "/reports/real_estate.objects/export?format=csv&period=all"


@pytest.fixture
def app(make_app):
    """Band labels in English, whatever the deployment's default language."""
    return make_app(DEFAULT_LOCALE="en")


def sell(user, record):
    records = api.Records(PROPERTY, user)
    records.update(record, {"status": "reserved"}, None)
    records.update(record, {"status": "sold"}, None)


def test_each_price_band_counts_its_objects_calls_and_sales(app, make_user, admin_client):
    manager = make_user("manager")
    with app.test_request_context():
        cheap, dear = add_object(manager, price="12000000"), add_object(manager, price="70000000")
        log_call(manager, cheap.id), log_call(manager, cheap.id), log_call(manager, dear.id), log_showing(manager, cheap.id)
        sell(manager, cheap)
    rows = {row[0]: row[1:] for row in csv_rows(admin_client.get(URL))[1:]}
    # objects, calls, calls per object, showings, leads, with a deal, sold or rented, share
    assert rows["under 15\u00a0mln"] == ["1", "2", "2.0", "1", "0", "0", "1", "100.0"]
    assert rows["60\u00a0mln – 100\u00a0mln"] == ["1", "1", "1.0", "0", "0", "0", "0", "0.0"]


def test_rent_is_banded_by_monthly_rent(app, make_user, admin_client):
    manager = make_user("manager")
    with app.test_request_context():
        add_object(manager, deal_type="rent", price="200000")
    rows = {row[0]: row[1] for row in csv_rows(admin_client.get(URL + "&deal_type=rent"))[1:-1]}
    assert rows["150\u00a0K – 250\u00a0K"] == "1"


def test_an_agent_sees_only_their_own_objects_in_the_report(app, make_user, client_for):
    agent, colleague = make_user("agent"), make_user("agent")
    with app.test_request_context():
        add_object(agent, price="12000000"), add_object(colleague, price="12000000")
    totals = csv_rows(client_for(agent).get(URL))[-1]
    assert totals[1] == "1"


def test_object_by_object_the_most_called_comes_first(app, make_user, admin_client):
    manager = make_user("manager")
    with app.test_request_context():
        quiet, busy = add_object(manager, number="AL-Q"), add_object(manager, number="AL-B")
        log_call(manager, busy.id), log_call(manager, busy.id), log_call(manager, quiet.id)
    rows = csv_rows(admin_client.get(URL + "&view=objects"))[1:]
    assert [(row[0], row[5]) for row in rows] == [("AL-B", "2"), ("AL-Q", "1")]


def test_a_band_links_to_exactly_its_objects(app, make_user, admin_client):
    manager = make_user("manager")
    with app.test_request_context():
        add_object(manager, number="AL-C", price="12000000"), add_object(manager, number="AL-D", price="70000000")
    page = admin_client.get("/reports/real_estate.objects/?period=all").get_data(as_text=True)
    link = page.split("in_report=", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    listing = admin_client.get(f"/real_estate/property/?in_report={link}").get_data(as_text=True)
    assert "AL-C" in listing and "AL-D" not in listing
