"""Zadarma: a recorded day of its notifications (the documented NOTIFY_* fields, form-encoded,
signed as Zadarma signs them), replayed out of order, with repeats and with unsigned, forged and
malformed deliveries among them, gives exactly its activities and missed-call queue; its callback
and recording requests reach a real HTTP server as Zadarma's API expects them."""

import base64
import hashlib
import hmac
import random
from urllib.parse import urlencode

import pytest

from crmkit import api
from crmkit_telephony.events import CallbackRefused
from crmkit_telephony.models import Extension
from crmkit_telephony.zadarma import Zadarma
from pbx_server import pbx_server  # noqa: F401 (a fixture)
from telephony_helpers import activities, calls

SECRET = "zadarma-secret"
URL = "/telephony/webhook/zadarma"
DANA, STRANGER, OFFICE = "77011234567", "77019998877", "77272000000"


def php_signature(secret, text):
    """base64_encode(hash_hmac('sha1', text, secret)) as Zadarma's PHP computes it: of the hex digest."""
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest().encode()).decode()


def signed(fields, secret=SECRET):
    """The Signature header of a notification, over the fields the documentation lists for it."""
    event = fields["event"]
    if event in ("NOTIFY_OUT_START", "NOTIFY_OUT_END"):
        text = fields["internal"] + fields["destination"] + fields["call_start"]
    elif event == "NOTIFY_ANSWER":
        text = fields["caller_id"] + fields["destination"] + fields["call_start"]
    elif event == "NOTIFY_RECORD":
        text = fields["pbx_call_id"] + fields["call_id_with_rec"]
    else:
        text = fields["caller_id"] + fields["called_did"] + fields["call_start"]
    return php_signature(secret, text)


def post(client, fields, signature=None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature is not False:
        headers["Signature"] = signature or signed(fields)
    return client.post(URL, data=urlencode(fields), headers=headers)


def start(call, at, caller, did=OFFICE):
    return {"event": "NOTIFY_START", "call_start": f"2026-03-02 {at}", "pbx_call_id": call, "caller_id": caller, "called_did": did}


def internal(call, at, caller, ext, did=OFFICE):
    return {**start(call, at, caller, did), "event": "NOTIFY_INTERNAL", "internal": ext}


def answer(call, at, caller, ext):
    return {"event": "NOTIFY_ANSWER", "caller_id": caller, "destination": ext, "call_start": f"2026-03-02 {at}",
            "pbx_call_id": call, "internal": ext}


def end(call, at, caller, ext, duration, disposition, rec=None, did=OFFICE):
    return {**start(call, at, caller, did), "event": "NOTIFY_END", "internal": ext, "duration": str(duration),
            "disposition": disposition, "status_code": "16", "is_recorded": "1" if rec else "0", "call_id_with_rec": rec or ""}


def out_start(call, at, ext, number):
    return {"event": "NOTIFY_OUT_START", "call_start": f"2026-03-02 {at}", "pbx_call_id": call, "internal": ext, "destination": number}


def out_end(call, at, ext, number, duration, disposition):
    return {**out_start(call, at, ext, number), "event": "NOTIFY_OUT_END", "caller_id": OFFICE, "duration": str(duration),
            "disposition": disposition, "status_code": "16", "is_recorded": "0", "call_id_with_rec": ""}


DAY = [
    # in_z1: Dana calls, Aigul (101) answers, two minutes, recorded
    start("in_z1", "09:00:00", DANA), internal("in_z1", "09:00:00", DANA, "101"), answer("in_z1", "09:00:00", DANA, "101"),
    end("in_z1", "09:00:00", DANA, "101", 120, "answered", rec="1764670000.12345"),
    {"event": "NOTIFY_RECORD", "pbx_call_id": "in_z1", "call_id_with_rec": "1764670000.12345"},
    # in_z2: a stranger rings Bolat (102), nobody answers
    start("in_z2", "10:00:00", STRANGER), internal("in_z2", "10:00:00", STRANGER, "102"),
    end("in_z2", "10:00:00", STRANGER, "102", 0, "no answer"),
    # out_z3: Bolat calls the stranger back and gets through
    out_start("out_z3", "10:20:00", "102", STRANGER), out_end("out_z3", "10:20:00", "102", STRANGER, 60, "answered"),
    # in_z4: Dana again, the caller hangs up while it rings
    start("in_z4", "11:00:00", DANA), internal("in_z4", "11:00:00", DANA, "101"), end("in_z4", "11:00:00", DANA, "101", 0, "cancel"),
    # in_z5: to extension 777, which nobody is mapped to
    start("in_z5", "12:00:00", "77015550000"), internal("in_z5", "12:00:00", "77015550000", "777"),
    end("in_z5", "12:00:00", "77015550000", "777", 50, "answered"),
]
BAD = [  # (fields, signature) that must be refused, each with its status
    (end("in_z2", "10:00:00", STRANGER, "102", 300, "answered"), False, 401),  # unsigned
    (end("in_z4", "11:00:00", DANA, "101", 300, "answered"), php_signature("guess", DANA + OFFICE + "2026-03-02 11:00:00"), 401),
    ({**start("in_z1", "09:00:00", DANA), "caller_id": "77000000000"}, signed(start("in_z1", "09:00:00", DANA)), 401),  # tampered
    (end("in_z9", "13:00:00", DANA, "101", "abc", "answered"), None, 400),  # malformed duration
    (start("in_z9", "yesterday", DANA), None, 400),
    ({"event": "NOTIFY_EXPLODED", "caller_id": "", "called_did": "", "call_start": ""}, None, 400),
]


@pytest.fixture
def world(app, make_user, frozen_clock):
    app.config.update(TELEPHONY_ZADARMA_SECRET=SECRET, TELEPHONY_ZADARMA_KEY="zkey")
    frozen_clock.move_to("2026-03-02T18:00:00+00:00")  # the day's notifications arrive after they happen
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz")
    with app.test_request_context():
        dana = api.Records("person", api.find_user(id=aigul.id)).create({"name": "Dana", "phone": "+" + DANA})
        api.session().add_all([Extension(provider="zadarma", extension="101", user_id=aigul.id),
                               Extension(provider="zadarma", extension="102", user_id=bolat.id)])
        api.session().commit()
        return {"aigul": aigul.id, "bolat": bolat.id, "dana": dana.id}


def replay(client, seed):
    deliveries = [(fields, None, 202) for fields in DAY + random.Random(seed).sample(DAY, 6)] + BAD
    random.Random(seed).shuffle(deliveries)
    for fields, signature, status in deliveries:
        response = post(client, fields, signature)
        assert response.status_code == status, (fields, response.get_json())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_of_zadarma_notifications_gives_exactly_its_activities_and_queue(app, client, world, seed):
    replay(client, seed)
    found = {(a.direction, a.their_address, a.outcome, a.duration_seconds, a.owner_id, a.about_entity, a.about_id,
              bool(a.recording_url)) for a in activities(app, "call")}
    assert found == {
        ("inbound", "+" + DANA, "answered", 120, world["aigul"], "person", world["dana"], True),
        ("inbound", "+" + STRANGER, "missed", 0, world["bolat"], None, None, False),
        ("outbound", "+" + STRANGER, "answered", 60, world["bolat"], None, None, False),
        ("inbound", "+" + DANA, "missed", 0, world["aigul"], "person", world["dana"], False),
    }
    by_id = calls(app)
    assert sorted(c for c, call in by_id.items() if call.queued) == ["in_z4"]
    assert by_id["in_z2"].called_back_by == by_id["out_z3"].id
    assert by_id["in_z1"].recording_url.endswith("/telephony/recording/zadarma/1764670000.12345")
    assert by_id["in_z5"].unknown_extension and by_id["in_z5"].activity_id is None
    open_tasks = [t.id for t in activities(app, "task") if t.status == "open"]
    assert open_tasks == [by_id["in_z4"].callback_task_id]  # in_z2's, if made before the callback came, is done


def test_replaying_the_zadarma_day_again_changes_nothing(app, client, world):
    replay(client, 1)
    before = [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")]
    replay(client, 5)
    assert [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")] == before


def test_a_call_to_an_unknown_zadarma_extension_is_shown_to_admins(app, client, client_for, world):
    for fields in DAY[-3:]:
        post(client, fields)
    page = client_for("admin").get("/telephony/admin").get_data(as_text=True)
    assert 'data-call="in_z5"' in page and "777" in page


def test_without_a_secret_every_notification_is_refused(app, client, world):
    app.config["TELEPHONY_ZADARMA_SECRET"] = ""
    assert post(client, DAY[0], php_signature("", DANA + OFFICE + "2026-03-02 09:00:00")).status_code == 401
    assert calls(app) == {}


@pytest.mark.parametrize("body", [b"\xff\xfe", b"event=NOTIFY_START&%zz", b"a" * 300])
def test_a_body_that_is_no_form_is_400(app, client, world, body):
    response = client.post(URL, data=body, headers={"Signature": "x", "Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 400 and response.get_json()["fields"]


def test_a_start_in_another_millennium_is_400_naming_it(app, client, world):
    response = post(client, start("in_z8", "09:00:00", DANA) | {"call_start": "0001-01-01 00:00:00"})
    assert response.status_code == 400 and "call_start" in response.get_json()["fields"]


def test_zadarma_checks_the_address_by_its_echo(client):
    assert client.get(URL + "?zd_echo=a1b2c3").get_data(as_text=True) == "a1b2c3"
    assert client.get(URL).status_code == 404


def test_the_voice_menu_notification_is_accepted_and_ignored(app, client, world):
    menu = {**start("in_z7", "14:00:00", DANA), "event": "NOTIFY_IVR", "wait_dtmf": "1"}
    assert post(client, menu).status_code == 202
    assert calls(app) == {}


def test_a_callback_is_requested_with_zadarmas_authorization(app, world, pbx_server):
    pbx_server.answers["/v1/request/callback/"] = (200, {"status": "success", "from": "101", "to": STRANGER, "time": 1764670000})
    app.config["TELEPHONY_ZADARMA_API_URL"] = pbx_server.url
    assert Zadarma().place_callback("101", "+" + STRANGER, app.config) is None
    [sent] = pbx_server.requests
    assert (sent["method"], sent["args"]) == ("GET", {"format": ["json"], "from": ["101"], "to": [STRANGER]})
    query = urlencode(sorted({"format": "json", "from": "101", "to": STRANGER}.items()))
    text = "/v1/request/callback/" + query + hashlib.md5(query.encode()).hexdigest()
    assert sent["headers"]["Authorization"] == "zkey:" + php_signature(SECRET, text)


def test_a_refused_callback_says_why(app, world, pbx_server):
    pbx_server.answers["/v1/request/callback/"] = (200, {"status": "error", "message": "Wrong parameters!"})
    app.config["TELEPHONY_ZADARMA_API_URL"] = pbx_server.url
    with app.test_request_context(), pytest.raises(CallbackRefused, match="Wrong parameters!"):
        Zadarma().place_callback("101", "+" + STRANGER, app.config)


def test_an_unreachable_zadarma_is_a_refused_callback_not_an_error(app, world, pbx_server):
    app.config["TELEPHONY_ZADARMA_API_URL"] = pbx_server.url
    pbx_server.close()
    with app.test_request_context(), pytest.raises(CallbackRefused):
        Zadarma().place_callback("101", "+" + STRANGER, app.config)


def test_a_recording_opens_through_a_fresh_link_for_who_may_see_calls(app, client, client_for, world, pbx_server):
    pbx_server.answers["/v1/pbx/record/request/"] = (200, {"status": "success", "link": "https://api.zadarma.com/rec/1.mp3"})
    app.config["TELEPHONY_ZADARMA_API_URL"] = pbx_server.url
    response = client_for(api_user(app, world["aigul"])).get("/telephony/recording/zadarma/1764670000.12345")
    assert response.status_code == 302 and response.headers["Location"] == "https://api.zadarma.com/rec/1.mp3"
    assert pbx_server.requests[0]["args"]["call_id"] == ["1764670000.12345"]
    assert client.get("/telephony/recording/zadarma/1764670000.12345").status_code in (302, 401)
    assert not client.get("/telephony/recording/zadarma/1764670000.12345").headers.get("Location", "").startswith("https://api")


def api_user(app, user_id):
    with app.app_context():
        return api.find_user(id=user_id)
