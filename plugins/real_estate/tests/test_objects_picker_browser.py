"""Logging a call about an object in a real browser: the agent types part of the address in
"About objects", picks the suggestion, saves; the call names the object and the object lists the call."""

from __future__ import annotations

import pytest

from crmkit import api, db
from crmkit.core.auth.models import User
from tests.browser.conftest import (  # noqa: F401 - the repository's browser fixtures (chromium, live server)
    TEST_SECRET,
    chromium,
    expect,
    live_server,
    log_in,
    new_page,
)
from tests.conftest import add_user

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "dana@example.com", "correct horse battery staple"


@pytest.fixture
def live_app(make_app):
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    agent = add_user(app, AGENT, PASSWORD, role="agent", name="Dana Agent")
    with app.test_request_context():
        records = api.Records("real_estate.property", db.session().get(User, agent.id))
        for street, price in (("Abay avenue", "42000000"), ("Dostyk street", "90000000")):
            records.create({"kind": "apartment", "deal_type": "sale", "city": "Almaty", "street": street,
                            "building": "10", "area": "54", "rooms": 2, "price": price})
    return app


def test_an_agent_logs_a_call_about_an_object_found_by_its_address(live_server, live_app, new_page):
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.goto(f"{live_server.url}/activity/new")
    page.get_by_label("Subject").fill("Asked about the flat on Abay")
    field = page.locator("input[name='inventory.items']")
    field.press_sequentially("Abay", delay=40)
    suggestion = page.locator(".inventory-suggestions [role=option]")
    expect(suggestion).to_have_count(1)
    expect(suggestion).to_contain_text("RE-000001")
    suggestion.click()
    expect(field).to_have_value("RE-000001, ")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".inventory-items")).to_contain_text("RE-000001")

    page.locator(".inventory-items a").click()
    expect(page.locator(".inventory-subjects")).to_contain_text("Asked about the flat on Abay")
