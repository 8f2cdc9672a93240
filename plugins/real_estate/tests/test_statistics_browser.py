"""In a real browser: an agent logs a call about an object through the activity form's "About
objects" picker (typing the listing number, choosing the suggestion), and the object's statistics
count it."""

from __future__ import annotations

import pytest

from crmkit import api
from tests.browser.conftest import (  # noqa: F401 - the repository's browser fixtures (chromium, live server)
    TEST_SECRET,
    chromium,
    expect,
    live_server,
    log_in,
    new_page,
)
from tests.conftest import add_user

from estate_records import add_object

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "aliya@example.com", "correct horse battery staple"


@pytest.fixture
def live_app(make_app):
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, AGENT, PASSWORD, role="agent", name="Aliya Agent")
    return app


def test_a_call_logged_about_an_object_counts_in_its_statistics(live_server, live_app, new_page):
    with live_app.test_request_context():
        agent = api.find_user(email=AGENT)
        flat = add_object(agent, number="AL-00042", street="Satpayev street")
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    expect(page.locator('[data-figure="calls"]')).to_have_text("0")

    page.goto(f"{live_server.url}/activity/new")
    page.get_by_label("Kind").select_option("call")
    page.get_by_label("Subject").fill("Asked about the flat on Satpayev")
    picker = page.get_by_label("About objects")
    picker.press_sequentially("AL-000")
    page.get_by_role("option", name="AL-00042").first.click()
    expect(picker).to_have_value("AL-00042, ")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Asked about the flat on Satpayev")

    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    expect(page.locator('[data-figure="calls"]')).to_have_text("1")
    expect(page.locator('[data-figure="showings"]')).to_have_text("0")


def test_a_showing_logged_from_the_objects_page_counts_in_its_statistics(live_server, live_app, new_page):
    with live_app.test_request_context():
        flat = add_object(api.find_user(email=AGENT), number="AL-00043")
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    page.get_by_role("link", name="Log a showing").click()
    expect(page.get_by_label("About objects")).to_have_value("AL-00043")
    page.get_by_label("Subject").fill("Showing to the Akhmetovs")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_contain_text("Showing to the Akhmetovs")

    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    expect(page.locator('[data-figure="showings"]')).to_have_text("1")
    expect(page.locator('[data-figure="calls"]')).to_have_text("0")
