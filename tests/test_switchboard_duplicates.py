"""Colleagues sharing their office's switchboard number are not duplicates of one another: neither
the form's warning nor the duplicates page offers them; people of other organisations are still
offered. How many colleagues make a switchboard is DUPLICATE_SWITCHBOARD_PEOPLE."""

from __future__ import annotations

import re

import pytest

from tests.test_duplicates import alert, create, submit

BOARD = "+77272501234"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def group_rows(client) -> list[str]:
    page = client.get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    return re.findall(r'<tr class="duplicate-group">(.*?)</tr>', page, re.DOTALL)


def test_a_new_colleague_on_the_switchboard_is_not_warned_of(app, admin_client):
    org_id = create(app, "organization", name="Kaspi", phone=BOARD)
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=org_id)
    response = submit(admin_client, "person", name="Daniyar Nurlanov", phone="8 727 250 12 34", organization_id=org_id)
    assert response.status_code == 302 and alert(response) == ""


def test_someone_of_another_organisation_with_that_number_is_still_warned_of(app, admin_client):
    kaspi, halyk = create(app, "organization", name="Kaspi"), create(app, "organization", name="Halyk")
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=kaspi)
    response = submit(admin_client, "person", name="Daniyar Nurlanov", phone=BOARD, organization_id=halyk)
    assert "Aigerim Sadykova" in alert(response) and "same phone +7 727 250 12 34" in alert(response)


def test_a_person_is_not_a_duplicate_of_their_own_organisation_over_its_number(app, admin_client):
    org_id = create(app, "organization", name="Kaspi", phone=BOARD)
    response = submit(admin_client, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=org_id)
    assert response.status_code == 302


def test_the_duplicates_page_leaves_out_colleagues_sharing_a_switchboard(app, admin_client):
    org_id = create(app, "organization", name="Kaspi")
    for name in ("Aigerim Sadykova", "Daniyar Nurlanov", "Erlan Tokayev", "Madina Ospanova"):
        create(app, "person", name=name, phone=BOARD, organization_id=org_id)
    assert group_rows(admin_client) == []


def test_the_duplicates_page_still_groups_people_of_different_organisations(app, admin_client):
    kaspi, halyk = create(app, "organization", name="Kaspi"), create(app, "organization", name="Halyk")
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=kaspi)
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=halyk)
    [row] = group_rows(admin_client)
    assert "+7 727 250 12 34" in row and "2 records" in row


def test_the_switchboard_outsider_alone_is_no_group(app, admin_client):
    kaspi, halyk = create(app, "organization", name="Kaspi"), create(app, "organization", name="Halyk")
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=kaspi)
    create(app, "person", name="Daniyar Nurlanov", phone=BOARD, organization_id=kaspi)
    create(app, "person", name="Erlan Tokayev", phone=BOARD, organization_id=halyk)
    assert group_rows(admin_client) == []


def test_a_higher_setting_needs_more_colleagues_for_a_switchboard(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en", DUPLICATE_SWITCHBOARD_PEOPLE=3)
    client = admin_client_for(app)
    org_id = create(app, "organization", name="Kaspi")
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=org_id)
    create(app, "person", name="Daniyar Nurlanov", phone=BOARD, organization_id=org_id)
    assert len(group_rows(client)) == 1
    create(app, "person", name="Erlan Tokayev", phone=BOARD, organization_id=org_id)
    assert group_rows(client) == []


def test_zero_turns_the_switchboard_rule_off(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en", DUPLICATE_SWITCHBOARD_PEOPLE=0)
    client = admin_client_for(app)
    org_id = create(app, "organization", name="Kaspi")
    create(app, "person", name="Aigerim Sadykova", phone=BOARD, organization_id=org_id)
    response = submit(client, "person", name="Daniyar Nurlanov", phone=BOARD, organization_id=org_id)
    assert "Aigerim Sadykova" in alert(response)


def test_a_page_cut_short_by_switchboards_leads_on_to_the_next(app, admin_client, monkeypatch):
    from crmkit.core.duplicates import groups

    monkeypatch.setattr(groups, "PAGE_SIZE", 1)
    monkeypatch.setattr(groups, "SCAN_LIMIT", 2)  # shared numbers checked for one page
    kaspi, halyk = create(app, "organization", name="Kaspi"), create(app, "organization", name="Halyk")
    for number in ("+77272501230", "+77272501231", "+77272501232"):  # switchboards, each also someone else's
        create(app, "person", name=f"A {number}", phone=number, organization_id=kaspi)
        create(app, "person", name=f"B {number}", phone=number, organization_id=kaspi)
        create(app, "person", name=f"C {number}", phone=number, organization_id=halyk)
    create(app, "person", name="Outsider", phone="+77272501239")
    create(app, "person", name="Outsider too", phone="+77272501239")
    first = admin_client.get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    later = re.search(r'rel="next" href="([^"]*)"', first)
    assert later and "duplicate-group" not in first
    second = admin_client.get(later.group(1).replace("&amp;", "&")).get_data(as_text=True)
    [row] = re.findall(r'<tr class="duplicate-group">(.*?)</tr>', second, re.DOTALL)
    assert "Outsider too" in row
