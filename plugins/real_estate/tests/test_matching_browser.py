"""In a real browser: an agent lists an object that meets another agent's buyer's demand; that
agent's bell shows the notification, and opening it leads to the demand's matching objects."""

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

from demand_data import add_demand

pytestmark = pytest.mark.browser
LISTING, BUYERS, PASSWORD = "dana@example.com", "aigul@example.com", "correct horse battery staple"


@pytest.fixture
def live_app(make_app):
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True,
                   NOTIFICATIONS_POLL_SECONDS=1, SMTP_HOST=None)
    add_user(app, LISTING, PASSWORD, role="agent", name="Dana Agent", locale="en")
    add_user(app, BUYERS, PASSWORD, role="agent", name="Aigul Agent", locale="en")
    return app


def test_the_buyer_s_agent_is_notified_and_opens_the_matching_objects(live_server, live_app, new_page):
    with live_app.test_request_context():
        buyers_agent = api.find_user(email=BUYERS)
        wanted = add_demand(buyers_agent, city="Almaty", districts="Bostandyk", rooms_min=2, rooms_max=3,
                            budget_max="45000000")
        new_object = api.new_url("real_estate.property")

    dana = new_page()
    log_in(dana, live_server.url, LISTING, PASSWORD)
    dana.goto(live_server.url + new_object)
    dana.get_by_label("Kind").select_option("apartment")
    dana.get_by_label("Sale or rent").select_option("sale")
    dana.get_by_label("City").fill("Almaty")
    dana.get_by_label("District").fill("Bostandyk")
    dana.get_by_label("Street").fill("Abay avenue")
    dana.get_by_label("Area, m²").fill("64")
    dana.get_by_label("Rooms").fill("2")
    dana.get_by_label("Price").fill("43000000")
    dana.get_by_role("button", name="Save").click()
    expect(dana.locator("h1")).to_contain_text("RE-000001")

    aigul = new_page(viewport={"width": 1366, "height": 900})
    log_in(aigul, live_server.url, BUYERS, PASSWORD)
    expect(aigul.locator(".bell-count")).to_have_text("1")
    aigul.locator(".bell-link").click()
    item = aigul.locator(".bell-menu").get_by_role("button", name="A new object: RE-000001 matches 1 of your buyers' demands")
    expect(item).to_be_visible()
    item.click()
    aigul.wait_for_url(f"{live_server.url}/real-estate/demands/{wanted.id}/objects")
    expect(aigul.locator("h1")).to_have_text("Objects matching the demand")
    expect(aigul.locator("table.object-matches")).to_contain_text("RE-000001")
    expect(aigul.locator("table.object-matches")).to_contain_text("43 000 000 KZT")
