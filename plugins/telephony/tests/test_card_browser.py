"""The agent's page is open; the PBX posts a ringing call over HTTP; the card is on the page within
a second, by Server-Sent Events, or by polling where streams are off; the agent logs the outcome
from it; a colleague answering closes it."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import UTC, datetime

import pytest

from crmkit import api
from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from crmkit_telephony.models import Extension
from tests.browser.conftest import (  # noqa: F401 - the repository's browser fixtures (chromium, live server)
    TEST_SECRET,
    chromium,
    expect,
    live_server,
    log_in,
    new_page,
)
from tests.conftest import add_user
from telephony_helpers import SECRET, activities

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "aigul@example.kz", "correct horse battery staple"
DANA = "+77011234567"


@pytest.fixture
def live_settings():
    return {}


@pytest.fixture
def live_app(make_app, live_settings):
    # The test server has 4 threads: at most 2 streams, and a page left is noticed within a second.
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en", TELEPHONY_WEBHOOK_SECRET=SECRET,
                   TELEPHONY_STREAM_MAX=2, TELEPHONY_STREAM_HEARTBEAT=1, **live_settings)
    agent = add_user(app, AGENT, PASSWORD, role="agent", name="Aigul", locale="en")
    colleague = add_user(app, "bolat@example.kz", PASSWORD, role="agent", name="Bolat", locale="en")
    with app.test_request_context():
        api.Records("person", api.find_user(id=agent.id)).create({"name": "Dana Nurlanovna", "phone": DANA})
        api.session().add_all([Extension(provider="generic", extension="101", user_id=agent.id),
                               Extension(provider="generic", extension="102", user_id=colleague.id)])
        api.session().commit()
    return app


def pbx_posts(server, kind, call_id, extension="101", caller=DANA, **facts):
    """One signed event, over HTTP, as the PBX sends it."""
    body = json.dumps({"event": kind, "call_id": call_id, "at": datetime.now(UTC).isoformat(), "direction": "inbound",
                       "caller": caller, "called": "+77272000000", "extension": extension, **facts}).encode()
    stamp = str(int(time.time()))
    request = urllib.request.Request(f"{server.url}/telephony/webhook/generic", data=body, method="POST", headers={
        "Content-Type": "application/json", TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(SECRET, stamp, body)})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202


def open_agents_page(new_page, server, **options):
    """The agent's list of people, watched for Content-Security-Policy violations and script errors."""
    page = new_page(**options)
    page.problems = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    log_in(page, server.url, AGENT, PASSWORD)
    page.goto(f"{server.url}/person/")
    return page


def test_the_card_appears_within_a_second_by_the_stream_and_the_outcome_is_logged(live_server, live_app, new_page):
    page = open_agents_page(new_page, live_server)
    expect(page.locator(".tel-live[data-mode=stream]")).to_have_count(1)  # the stream is open
    pbx_posts(live_server, "ringing", "b1")
    card = page.locator(".tel-card")
    expect(card).to_be_visible(timeout=1000)
    expect(card).to_contain_text("Dana Nurlanovna")
    expect(page.locator(".tel-live-status")).to_contain_text("Incoming call")
    pbx_posts(live_server, "answered", "b1")
    expect(card).to_contain_text("You are talking")
    card.get_by_label("What came of the call").fill("Wants a quote for six trucks")
    card.get_by_role("button", name="Log the outcome").click()
    expect(card.locator(".tel-note-result")).to_have_text("Saved on the call's activity.")
    pbx_posts(live_server, "ended", "b1", duration=80)
    expect(card).to_contain_text("The call is over")  # kept open: the agent wrote in it
    [activity] = activities(live_app, "call")
    assert (activity.body, activity.outcome, activity.duration_seconds) == ("Wants a quote for six trucks", "answered", 80)
    assert page.problems == []


def test_an_answer_by_a_colleague_closes_the_card(live_server, live_app, new_page):
    page = open_agents_page(new_page, live_server)
    expect(page.locator(".tel-live[data-mode=stream]")).to_have_count(1)
    pbx_posts(live_server, "ringing", "b2", caller="+77019998877")
    expect(page.locator(".tel-card")).to_contain_text("Create a lead")
    pbx_posts(live_server, "answered", "b2", extension="102", caller="+77019998877")
    expect(page.locator(".tel-card")).to_have_count(0)


@pytest.mark.parametrize("live_settings", [{"TELEPHONY_LIVE": "poll", "TELEPHONY_POLL_SECONDS": 0.3}])
def test_by_polling_on_a_phone_the_card_appears_and_fits_the_screen(live_server, live_app, new_page):
    page = open_agents_page(new_page, live_server, viewport={"width": 375, "height": 740})
    expect(page.locator(".tel-live[data-mode=poll]")).to_have_count(1)
    pbx_posts(live_server, "ringing", "b3")
    card = page.locator(".tel-card")
    expect(card).to_contain_text("Dana Nurlanovna")
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    pbx_posts(live_server, "ended", "b3", duration=0)
    expect(card).to_have_count(0)
    assert page.problems == []
