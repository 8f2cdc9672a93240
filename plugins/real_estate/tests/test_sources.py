"""Advertising: where an object is placed, and the leads, calls and cost per lead of each source."""

from __future__ import annotations

from crmkit import api

from estate_records import add_lead, add_object, add_source, csv_rows, log_call

KEY = "real_estate.placement"
REPORT = "/reports/real_estate.sources/export?format=csv&period=all"


def place(user, property_id, source_id, **fields):
    return api.Records(KEY, user).create({"property_id": property_id, "source_id": source_id,
                                          "started_on": "2026-01-10", **fields})


def by_source(rows):
    header = rows[0]
    return {row[header.index("Source") if "Source" in header else 0]: row for row in rows[1:]}


def test_the_object_page_lists_its_placements_with_their_source_and_cost(app, make_user, admin_client, client_for):
    with app.test_request_context():
        krisha = add_source(admin_client, "krisha", "Krisha.kz")
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        place(agent, flat.id, krisha, cost="12000", url="https://krisha.example/a/1")
    page = client_for(agent).get(f"/real_estate/property/{flat.id}").get_data(as_text=True)
    panel = page.split("krisha.example/a/1", 1)[0].rsplit("<table", 1)[1]
    assert "Krisha.kz" in panel and "12\u00a0000" in page


def test_a_placement_ending_before_it_starts_is_refused_under_its_end(app, make_user, admin_client):
    with app.test_request_context():
        krisha = add_source(admin_client, "krisha", "Krisha.kz")
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        try:
            place(agent, flat.id, krisha, ended_on="2026-01-01")
        except api.Invalid as error:
            assert list(error.fields) == ["ended_on"]
        else:
            raise AssertionError("a placement ending before its start was saved")


def test_a_placement_on_no_known_source_is_refused_under_the_source(app, make_user):
    agent = make_user("agent")
    with app.test_request_context():
        flat = add_object(agent)
        try:
            place(agent, flat.id, 999)
        except api.Invalid as error:
            assert "source_id" in error.fields
        else:
            raise AssertionError("a placement on no source was saved")


def test_the_report_counts_leads_and_tracked_calls_per_source_with_the_cost_per_lead(app, make_user, admin_client, admin_client_for):
    with app.test_request_context():
        krisha = add_source(admin_client, "krisha", "Krisha.kz", number="+7 727 356 18 01")
        olx = add_source(admin_client, "olx", "OLX")
    manager = make_user("manager")
    with app.test_request_context():
        flat = add_object(manager)
        place(manager, flat.id, krisha, cost="30000")
        place(manager, flat.id, olx)
        add_lead(manager, flat.id, krisha), add_lead(manager, flat.id, krisha), add_lead(manager, flat.id, olx)
        log_call(manager, flat.id, our_address="8 727 356 18 01"), log_call(manager, flat.id, our_address="+77010000000")
    rows = by_source(csv_rows(admin_client.get(REPORT)))
    # source, placements, cost, leads, calls, cost per lead
    assert rows["Krisha.kz"][1:] == ["1", "30000.00", "2", "1", "15000.00"]
    assert rows["OLX"][1:] == ["1", "", "1", "0", ""]


def test_by_object_the_report_counts_only_what_is_about_each_object(app, make_user, admin_client):
    with app.test_request_context():
        krisha = add_source(admin_client, "krisha", "Krisha.kz")
    manager = make_user("manager")
    with app.test_request_context():
        first, second = add_object(manager, number="AL-1"), add_object(manager, number="AL-2")
        add_lead(manager, first.id, krisha), add_lead(manager, second.id, krisha), add_lead(manager, second.id, krisha)
    rows = csv_rows(admin_client.get(REPORT + "&view=objects"))
    leads = {row[0]: row[4] for row in rows[1:-1]}
    assert leads == {"AL-1": "1", "AL-2": "2"}


def test_the_report_pages_draw_for_a_manager(app, make_user, client_for):
    manager = make_user("manager")
    client = client_for(manager)
    for url in ("/reports/real_estate.sources/?period=all", "/reports/real_estate.sources/?period=all&view=objects",
                "/reports/real_estate.objects/?period=all&view=objects", "/reports/real_estate.sources/chart.svg?period=all"):
        assert client.get(url).status_code == 200, url
