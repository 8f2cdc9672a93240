"""A person picks an organisation in a link field by typing part of its name and choosing a
suggestion with the keyboard: on a person's form, and in the people list's filter."""

from __future__ import annotations

import re

import pytest

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.records import links
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, TEST_SECRET, expect, log_in

pytestmark = pytest.mark.browser
ORGANISATIONS = ("ТОО Алтын Құрылыс", "АО Береке", "ТОО Самал Сервис")


@pytest.fixture
def live_app(make_app, monkeypatch):
    """Three organisations, past a select's limit of two, and two people."""
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    monkeypatch.setattr(links, "SELECT_UP_TO", 2)
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    with app.test_request_context():
        session = db.session()
        admin = session.get(User, 1)
        organizations = Records(app.extensions["crmkit"].entities.get("organization"), admin, session)
        ids = [organizations.create({"name": name}).id for name in ORGANISATIONS]
        people = Records(app.extensions["crmkit"].entities.get("person"), admin, session)
        people.create({"name": "Серикбаев Нурлан"})
        people.create({"name": "Ахметова Айгерим", "organization_id": ids[1]})
    return app


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"picker-{name}.png", full_page=True)


def test_a_person_gets_an_organisation_picked_from_the_suggestions_with_the_keyboard(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/person/1/edit")
    box = page.get_by_role("combobox", name="Organisation")
    box.press_sequentially("алт")
    suggestions = page.get_by_role("listbox", name="Organisation").get_by_role("option")
    expect(suggestions).to_have_text(["ТОО Алтын Құрылыс"])
    suggestion = suggestions.first
    box.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", suggestion.get_attribute("id"))
    shot(page, "suggestions")
    box.press("Enter")
    expect(box).to_have_value("ТОО Алтын Құрылыс")
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(page.locator("input[type=hidden][name=organization_id]")).to_have_value("1")
    box.press("Enter")  # the list is closed: Enter sends the form
    page.wait_for_url(re.compile(r"/person/1$"))
    expect(page.locator(".fields")).to_contain_text("ТОО Алтын Құрылыс")


def test_the_people_list_is_filtered_by_an_organisation_picked_in_its_filter(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/person/")
    box = page.locator("form.filters").get_by_role("combobox", name="Organisation")
    box.press_sequentially("берек")
    expect(page.get_by_role("listbox", name="Organisation").get_by_role("option")).to_have_text(["АО Береке"])
    box.press("ArrowDown")
    box.press("Enter")
    box.press("Enter")
    page.wait_for_url(re.compile(r"organization_id=2"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    expect(page.locator("table tbody")).to_contain_text("Ахметова Айгерим")
    expect(page.locator("form.filters").get_by_role("combobox", name="Organisation")).to_have_value("АО Береке")
