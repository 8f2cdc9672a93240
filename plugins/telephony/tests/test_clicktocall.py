"""Click-to-call: the "Call" button beside a record's phone asks the PBX (here a real HTTP server on
port 0 standing for the generic provider's callback API) to ring the agent and dial the client,
logs the outgoing call at once, and the call's own events complete that same activity."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crmkit import api
from crmkit.testing.accounts import csrf_token
from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from live_helpers import DANA, now_event, office  # noqa: F401 - office is a fixture
from telephony_helpers import SECRET, activities, calls, post

CALLBACK_SECRET = "callback-secret"


class CallbackApi:
    """The PBX's callback API: answers every POST with ``answer`` and keeps what it got."""

    def __init__(self):
        self.answer = (200, {"call_id": "pbx-77"})
        self.got: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.got.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                status, payload = outer.answer
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pbx(app, office):
    server = CallbackApi()
    app.config.update(TELEPHONY_CALLBACK_URL=server.url, TELEPHONY_CALLBACK_SECRET=CALLBACK_SECRET,
                      TELEPHONY_WEBHOOK_SECRET=SECRET)
    yield server
    server.close()


def click_call(client, page, entity="person", record_id=None, phone=DANA):
    token = csrf_token(client, page)
    return client.post(f"/telephony/call?about_entity={entity}&about_id={record_id}",
                       data={"csrf_token": token, "phone": phone, "next": page})


def test_every_phone_on_a_persons_page_has_a_call_button(client_for, office, pbx):
    page = client_for(office["aigul"]).get(f"/person/{office['dana']}").get_data(as_text=True)
    assert f'action="/telephony/call?about_entity=person&amp;about_id={office["dana"]}"' in page
    assert f'name="phone" value="{DANA}"' in page


def test_an_organisations_phones_have_the_call_button_too(app, client_for, office, pbx):
    with app.test_request_context():
        org = api.Records("organization", api.find_user(id=office["aigul"].id)).create(
            {"name": "Reception desk", "phone": "+77272000000", "other_phones": "+77272000001"})
    page = client_for(office["aigul"]).get(f"/organization/{org.id}").get_data(as_text=True)
    assert page.count(f"about_entity=organization&amp;about_id={org.id}") == 2
    assert 'name="phone" value="+77272000001"' in page


def test_a_leads_phones_have_the_call_button_too(app, client_for, office, pbx):
    with app.test_request_context():
        lead = api.Records("lead", api.find_user(id=office["aigul"].id)).create({"name": "Walk-in", "phones": "8 701 555 44 33"})
    page = client_for(office["aigul"]).get(f"/lead/{lead.id}").get_data(as_text=True)
    assert 'name="phone" value="+77015554433"' in page and "about_entity=lead" in page


def test_calling_asks_the_pbx_signed_to_ring_the_agents_extension_then_the_client(app, client_for, office, pbx):
    aigul = client_for(office["aigul"])
    page = f"/person/{office['dana']}"
    response = click_call(aigul, page, record_id=office["dana"])
    assert response.status_code == 303 and response.headers["Location"].endswith(page)
    [sent] = pbx.got
    assert json.loads(sent["body"]) | {"request_id": "x"} == {"extension": "101", "number": DANA, "request_id": "x",
                                                               "our_number": None}
    stamp = sent["headers"][TIMESTAMP_HEADER]
    assert sent["headers"][SIGNATURE_HEADER] == signature(CALLBACK_SECRET, stamp, sent["body"])
    [activity] = activities(app, "call")
    assert (activity.direction, activity.their_address, activity.owner_id, activity.about_entity, activity.about_id) == (
        "outbound", DANA, office["aigul"].id, "person", office["dana"])
    assert "Calling +77011234567" in aigul.get(page).get_data(as_text=True)


def test_the_calls_own_events_complete_the_activity_logged_when_it_was_placed(app, client, client_for, office, pbx):
    click_call(client_for(office["aigul"]), f"/person/{office['dana']}", record_id=office["dana"])
    facts = {"direction": "outbound", "caller": "101", "called": DANA}
    for kind, extra in (("ringing", {}), ("answered", {}), ("ended", {"duration": 42})):
        assert post(client, {**now_event(kind, "pbx-77", **extra), **facts}).status_code == 202
    [activity] = activities(app, "call")
    assert (activity.outcome, activity.duration_seconds, activity.about_id) == ("answered", 42, office["dana"])
    assert calls(app)["pbx-77"].activity_id == activity.id


def test_without_an_extension_the_agent_is_told_so_and_nothing_is_dialled(app, client_for, make_user, office, pbx):
    with app.test_request_context():
        nurlan = make_user("agent", locale="en")
        person = api.Records("person", api.find_user(id=nurlan.id)).create({"name": "Client", "phone": DANA})
    client = client_for(nurlan)
    response = click_call(client, f"/person/{person.id}", record_id=person.id)
    assert response.status_code == 303
    assert "You have no telephone extension" in client.get(f"/person/{person.id}").get_data(as_text=True)
    assert pbx.got == [] and activities(app, "call") == []


def test_a_refusal_of_the_pbx_is_shown_with_its_reason_and_nothing_is_logged(app, client_for, office, pbx):
    pbx.answer = (403, {"error": "Balance is empty"})
    aigul = client_for(office["aigul"])
    page = f"/person/{office['dana']}"
    click_call(aigul, page, record_id=office["dana"])
    assert "The PBX refused the call (403): Balance is empty" in aigul.get(page).get_data(as_text=True)
    assert activities(app, "call") == []


def test_a_pbx_that_does_not_answer_is_a_clear_error(app, client_for, office, pbx):
    pbx.close()
    aigul = client_for(office["aigul"])
    token = csrf_token(aigul, f"/person/{office['dana']}")
    response = aigul.post("/telephony/call", data={"csrf_token": token, "phone": DANA},
                          headers={"Accept": "application/json"})
    assert response.status_code == 502 and response.get_json()["error"].startswith("The PBX did not answer")


def test_without_a_callback_address_the_admin_setting_is_named(app, client_for, office, pbx):
    app.config["TELEPHONY_CALLBACK_URL"] = ""
    aigul = client_for(office["aigul"])
    token = csrf_token(aigul, f"/person/{office['dana']}")
    response = aigul.post("/telephony/call", data={"csrf_token": token, "phone": DANA}, headers={"Accept": "application/json"})
    assert response.status_code == 502 and "TELEPHONY_CALLBACK_URL" in response.get_json()["error"]


def test_text_that_is_no_phone_number_is_a_422_naming_the_field(client_for, office, pbx):
    aigul = client_for(office["aigul"])
    token = csrf_token(aigul, f"/person/{office['dana']}")
    response = aigul.post("/telephony/call", data={"csrf_token": token, "phone": "call me"}, headers={"Accept": "application/json"})
    assert response.status_code == 422 and "phone" in response.get_json()["fields"]
    assert pbx.got == []


def test_a_record_the_agent_does_not_see_is_not_what_the_call_is_about(app, client_for, office, pbx):
    with app.test_request_context():
        hidden = api.Records("person", api.find_user(id=office["bolat"].id)).create({"name": "Bolat's", "phone": "+77017770000"})
    aigul = client_for(office["aigul"])
    token = csrf_token(aigul, f"/person/{office['dana']}")
    aigul.post(f"/telephony/call?about_entity=person&about_id={hidden.id}", data={"csrf_token": token, "phone": DANA})
    [activity] = activities(app, "call")
    assert (activity.about_entity, activity.about_id) == ("person", office["dana"])  # matched by the number instead
