"""Someone types in a person who is already there, is warned, saves anyway, then finds the pair on
the duplicates page, merges them and undoes the merge from the history, in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, log_in

pytestmark = pytest.mark.browser
DETAIL = re.compile(r"/person/(\d+)$")


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"merge-{name}.png", full_page=True)


def new_person(page, base_url, name, phone):
    page.goto(f"{base_url}/person/new")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Phone", exact=True).fill(phone)
    page.get_by_role("button", name="Save").click()


def open_from_menu(page, name):
    """Daily tools sit in the navigation's Tools menu."""
    page.locator("nav details.nav-menu-tools summary").click()
    page.locator("nav").get_by_role("link", name=name).click()


def record_id(page) -> int:
    page.wait_for_url(DETAIL)
    return int(DETAIL.search(page.url).group(1))


def add_note(app, person_id, subject):
    """An activity about the person, made through the service the pages use."""
    with app.test_request_context():
        session = db.session()
        admin = session.get(User, 1)
        entity = app.extensions["crmkit"].entities.get("activity")
        Records(entity, admin, session).create({"kind": "note", "subject": subject, "about_entity": "person", "about_id": person_id})


def test_a_duplicate_is_warned_about_merged_and_the_merge_undone(live_server, live_app, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    new_person(page, live_server.url, "Иванов Иван", "+7 701 123 45 67")
    kept = record_id(page)

    new_person(page, live_server.url, "Иван Иванов", "8 701 123 45 67")
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("This looks like a record that already exists")
    expect(warning).to_contain_text("same phone +7 701 123 45 67")
    expect(warning.get_by_role("link", name="Иванов Иван")).to_have_attribute("href", f"/person/{kept}")
    shot(page, "warning")
    page.get_by_role("button", name="Save anyway").click()
    merged = record_id(page)
    assert merged != kept
    add_note(live_app, merged, "Asked for a price list")

    open_from_menu(page, "Duplicates")
    group = page.locator("tr.duplicate-group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("+7 701 123 45 67")
    shot(page, "duplicates")
    group.get_by_role("link", name="Merge into Иванов Иван").click()

    expect(page.locator("h1")).to_have_text("Merge Иван Иванов into Иванов Иван")
    page.locator('input[name="pick.name"][value="merged"]').check()
    shot(page, "merge")
    page.get_by_role("button", name="Merge", exact=True).click()
    page.wait_for_url(f"{live_server.url}/person/{kept}")
    expect(page.locator("h1")).to_have_text("Иван Иванов")
    expect(page.locator("main")).to_contain_text("Asked for a price list")
    with live_app.test_request_context(headers={"Accept-Language": "en"}):  # the browser's language
        called = str(live_app.extensions["crmkit"].entities.get("person").label)
    expect(page.locator("#history")).to_contain_text(f"{called} #{merged} merged into this record")
    shot(page, "merged")

    page.locator("#history").get_by_role("button", name="Undo merge").click()
    page.wait_for_url(f"{live_server.url}/person/{kept}")
    expect(page.get_by_text("Merge undone: both records are back.")).to_be_visible()
    expect(page.locator("h1")).to_have_text("Иванов Иван")
    expect(page.locator("main")).not_to_contain_text("Asked for a price list")
    expect(page.locator("#history").get_by_role("button", name="Undo merge")).to_have_count(0)

    page.goto(f"{live_server.url}/person/{merged}")
    expect(page.locator("h1")).to_have_text("Иван Иванов")  # no "archived" badge: it is back
    expect(page.locator("main")).to_contain_text("Asked for a price list")
    open_from_menu(page, "Duplicates")
    expect(page.locator("tr.duplicate-group")).to_have_count(1)
    shot(page, "undone")
