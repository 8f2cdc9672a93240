"""In a real browser, with the telephony plugin beside this one: a client rings the agent, the
incoming-call card opens on the agent's page, the agent logs the outcome with the object the
client asked about, and the object's statistics count the call."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime

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
CLIENT = "+77011234567"
PBX_SECRET = "pbx-secret-for-the-card"


@pytest.fixture
def crmkit_plugins():
    return ["crmkit_real_estate.hooks", "crmkit_telephony.hooks"]


@pytest.fixture
def live_app(make_app):
    from crmkit_telephony.models import Extension

    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en", TELEPHONY_WEBHOOK_SECRET=PBX_SECRET)
    agent = add_user(app, AGENT, PASSWORD, role="agent", name="Aliya Agent", locale="en")
    with app.test_request_context():
        api.Records("person", api.find_user(id=agent.id)).create({"name": "Dana Buyer", "phone": CLIENT})
        api.session().add(Extension(provider="generic", extension="101", user_id=agent.id))
        api.session().commit()
    return app


def pbx_posts(server, kind, call_id, **facts):
    from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

    body = json.dumps({"event": kind, "call_id": call_id, "at": datetime.now(UTC).isoformat(), "direction": "inbound",
                       "caller": CLIENT, "called": "+77272000000", "extension": "101", **facts}).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(f"{server.url}/telephony/webhook/generic", data=body, method="POST", headers={
        "Content-Type": "application/json", TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(PBX_SECRET, stamp, body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202


def test_a_call_logged_from_the_incoming_call_card_about_an_object_counts_in_its_statistics(
        live_server, live_app, new_page):
    with live_app.test_request_context():
        flat = add_object(api.find_user(email=AGENT), number="AL-00077", street="Abay avenue")
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    expect(page.locator('[data-figure="calls"]')).to_have_text("0")
    expect(page.locator(".tel-live")).to_have_count(1)

    pbx_posts(live_server, "ringing", "rc1")
    card = page.locator(".tel-card")
    expect(card).to_contain_text("Dana Buyer")
    pbx_posts(live_server, "answered", "rc1")
    card.get_by_label("What came of the call").fill("Wants to see the flat on Abay on Saturday")
    card.get_by_label("About objects").fill("AL-00077")
    card.get_by_role("button", name="Log the outcome").click()
    expect(card.locator(".tel-note-result")).to_have_text("Saved on the call's activity.")
    pbx_posts(live_server, "ended", "rc1", duration=95)

    page.goto(f"{live_server.url}/real_estate/property/{flat.id}")
    expect(page.locator('[data-figure="calls"]')).to_have_text("1")


def test_an_object_the_agent_may_not_see_is_refused_under_the_field(live_server, live_app, new_page, make_user):
    other = make_user("agent", name="Other agent")
    with live_app.test_request_context():
        add_object(api.find_user(id=other.id), number="AL-00078", street="Dostyk avenue")
    page = new_page()
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.goto(f"{live_server.url}/person/")
    expect(page.locator(".tel-live")).to_have_count(1)
    pbx_posts(live_server, "ringing", "rc2")
    card = page.locator(".tel-card")
    expect(card).to_contain_text("Dana Buyer")
    card.get_by_label("What came of the call").fill("Asked about a flat on Dostyk")
    card.get_by_label("About objects").fill("AL-00078")
    card.get_by_role("button", name="Log the outcome").click()
    expect(card.locator(".tel-note-result")).to_contain_text("AL-00078")
