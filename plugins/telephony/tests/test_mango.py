"""Mango Office: a recorded day of its events (events/call, events/summary, events/recording as the
VPBX API posts them: vpbx_api_key, sign, json), replayed out of order, with repeats and with
unsigned, forged and malformed deliveries among them, gives exactly its activities and queue;
its callback command and its users list are real HTTP requests to a local server."""

import hashlib
import json
import random
from datetime import UTC, datetime

import pytest

from crmkit import api
from crmkit_telephony.events import CallbackRefused
from crmkit_telephony.mango import Mango
from crmkit_telephony.models import Extension
from pbx_server import pbx_server  # noqa: F401 (a fixture)
from telephony_helpers import activities, calls

KEY, SALT = "vpbx-key", "vpbx-salt"
DANA, STRANGER, LINE = "77011234567", "77019998877", "77272000000"


def ts(clock):
    return int(datetime.fromisoformat(f"2026-03-02T{clock}+00:00").astimezone(UTC).timestamp())


def form(data, key=KEY, salt=SALT):
    """The form Mango posts: its key, the event as JSON and sha256(key + json + salt) in hex."""
    text = json.dumps(data)
    return {"vpbx_api_key": key, "json": text, "sign": hashlib.sha256((key + text + salt).encode()).hexdigest()}


def post(client, path, fields):
    return client.post(f"/telephony/webhook/mango/events/{path}", data=fields)


def call(entry, seq, state, clock, caller, to):
    return ("call", {"entry_id": entry, "call_id": f"{entry}-leg", "timestamp": ts(clock), "seq": seq, "call_state": state,
                     "location": "abonent", "from": caller, "to": to})


def summary(entry, direction, caller, to, created, talk, ended, result):
    return ("summary", {"entry_id": entry, "call_direction": direction, "from": caller, "to": to, "line_number": LINE,
                        "create_time": ts(created), "forward_time": ts(created), "talk_time": ts(talk) if talk else 0,
                        "end_time": ts(ended), "entry_result": result, "disconnect_reason": 1100})


DANA_IN, STRANGER_IN = {"number": DANA}, {"number": STRANGER}
DAY = [
    # m1: Dana calls the line, 201 (Aigul) answers, 90 seconds, recorded
    call("m1", 1, "Appeared", "09:00:00", DANA_IN, {"extension": "201", "line_number": LINE}),
    call("m1", 2, "Connected", "09:00:10", DANA_IN, {"extension": "201", "line_number": LINE}),
    call("m1", 3, "Disconnected", "09:01:40", DANA_IN, {"extension": "201", "line_number": LINE}),
    summary("m1", 1, DANA_IN, {"extension": "201"}, "09:00:00", "09:00:10", "09:01:40", 1),
    ("recording", {"recording_id": "MToxMDA1", "recording_state": "Completed", "entry_id": "m1", "call_id": "m1-leg",
                   "extension": "201", "timestamp": ts("09:01:45"), "seq": 4}),
    # m2: a stranger rings 202 (Bolat), nobody answers
    call("m2", 1, "Appeared", "10:00:00", STRANGER_IN, {"extension": "202", "line_number": LINE}),
    call("m2", 2, "Disconnected", "10:00:30", STRANGER_IN, {"extension": "202", "line_number": LINE}),
    summary("m2", 1, STRANGER_IN, {"extension": "202"}, "10:00:00", None, "10:00:30", 0),
    # m3: Bolat calls the stranger back and gets through
    call("m3", 1, "Appeared", "10:20:00", {"extension": "202", "number": LINE}, STRANGER_IN),
    call("m3", 2, "Connected", "10:20:05", {"extension": "202", "number": LINE}, STRANGER_IN),
    summary("m3", 2, {"extension": "202"}, STRANGER_IN, "10:20:00", "10:20:05", "10:21:05", 1),
    # m4: Dana again, nobody answers
    call("m4", 1, "Appeared", "11:00:00", DANA_IN, {"extension": "201", "line_number": LINE}),
    summary("m4", 1, DANA_IN, {"extension": "201"}, "11:00:00", None, "11:00:40", 0),
    # m5: an internal call, 201 to 202: not a client's
    call("m5", 1, "Appeared", "11:30:00", {"extension": "201"}, {"extension": "202"}),
    summary("m5", 0, {"extension": "201"}, {"extension": "202"}, "11:30:00", "11:30:05", "11:31:00", 1),
    # m6: to extension 299, which neither we nor the PBX's users list know
    call("m6", 1, "Appeared", "12:00:00", {"number": "77015550000"}, {"extension": "299", "line_number": LINE}),
    summary("m6", 1, {"number": "77015550000"}, {"extension": "299"}, "12:00:00", "12:00:05", "12:00:45", 1),
    # a DTMF event: genuine, nothing of a call
    ("dtmf", {"seq": 1, "dtmf": "1", "timestamp": ts("12:00:01"), "call_id": "m6-leg", "entry_id": "m6", "location": "ivr"}),
]
BAD = [  # (path, form, status)
    ("summary", {"json": json.dumps(summary("m2", 1, STRANGER_IN, {"extension": "202"}, "10:00:00", "10:00:01", "10:05:00", 1)[1])}, 401),
    ("summary", form(summary("m4", 1, DANA_IN, {"extension": "201"}, "11:00:00", "11:00:01", "11:09:00", 1)[1], salt="guess"), 401),
    ("call", form(call("m9", 1, "Appeared", "13:00:00", DANA_IN, {"extension": "201"})[1], key="another-pbx"), 401),
    ("call", form({**call("m9", 1, "Appeared", "13:00:00", DANA_IN, {"extension": "201"})[1], "timestamp": "13:00"}), 400),
    ("call", form({**call("m9", 1, "Exploded", "13:00:00", DANA_IN, {"extension": "201"})[1]}), 400),
    ("summary", form({**summary("m9", 1, DANA_IN, {}, "13:00:00", None, "13:00:20", 0)[1], "entry_id": None}), 400),
    ("call", {**form({}), "json": "{not json", "sign": hashlib.sha256((KEY + "{not json" + SALT).encode()).hexdigest()}, 400),
]


@pytest.fixture
def world(app, make_user, frozen_clock, pbx_server):
    pbx_server.answers["/config/users/request"] = (200, {"users": [
        {"general": {"name": "Carol", "email": "carol@example.kz"}, "telephony": {"extension": "203"}}]})
    app.config.update(TELEPHONY_MANGO_KEY=KEY, TELEPHONY_MANGO_SALT=SALT, TELEPHONY_MANGO_API_URL=pbx_server.url)
    frozen_clock.move_to("2026-03-02T18:00:00+00:00")
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz")
    carol = make_user("agent", name="Carol", email="carol@example.kz")
    with app.test_request_context():
        dana = api.Records("person", api.find_user(id=aigul.id)).create({"name": "Dana", "phone": "+" + DANA})
        api.session().add_all([Extension(provider="mango", extension="201", user_id=aigul.id),
                               Extension(provider="mango", extension="202", user_id=bolat.id)])
        api.session().commit()
        return {"aigul": aigul.id, "bolat": bolat.id, "carol": carol.id, "dana": dana.id}


def replay(client, seed):
    deliveries = [(path, form(data), 202 if path != "dtmf" else 200) for path, data in DAY]
    deliveries += random.Random(seed).sample(deliveries, 6) + BAD
    random.Random(seed).shuffle(deliveries)
    for path, fields, status in deliveries:
        response = post(client, path, fields)
        assert response.status_code == status, (path, fields, response.get_json())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_day_of_mango_events_gives_exactly_its_activities_and_queue(app, client, world, seed):
    replay(client, seed)
    found = {(a.direction, a.their_address, a.outcome, a.duration_seconds, a.owner_id, a.about_entity, a.about_id,
              bool(a.recording_url)) for a in activities(app, "call")}
    assert found == {
        ("inbound", "+" + DANA, "answered", 90, world["aigul"], "person", world["dana"], True),
        ("inbound", "+" + STRANGER, "missed", 0, world["bolat"], None, None, False),
        ("outbound", "+" + STRANGER, "answered", 60, world["bolat"], None, None, False),
        ("inbound", "+" + DANA, "missed", 0, world["aigul"], "person", world["dana"], False),
    }
    by_id = calls(app)
    assert sorted(by_id) == ["m1", "m2", "m3", "m4", "m6"]  # the internal call is not kept
    assert sorted(c for c, found_call in by_id.items() if found_call.queued) == ["m4"]
    assert by_id["m2"].called_back_by == by_id["m3"].id
    assert by_id["m1"].recording_url.endswith("/telephony/recording/mango/MToxMDA1")
    assert by_id["m1"].called == "+" + LINE  # the line the client dialled: the tracking number
    assert by_id["m6"].unknown_extension and by_id["m6"].activity_id is None


def test_replaying_the_mango_day_again_changes_nothing(app, client, world):
    replay(client, 1)
    before = [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")]
    replay(client, 7)
    assert [(a.id, a.version) for a in activities(app, "call") + activities(app, "task")] == before


def test_an_extension_only_the_pbx_knows_is_its_users_by_email(app, client, world, pbx_server):
    post(client, "call", form(call("m7", 1, "Appeared", "14:00:00", STRANGER_IN, {"extension": "203", "line_number": LINE})[1]))
    response = post(client, "summary", form(summary("m7", 1, STRANGER_IN, {"extension": "203"}, "14:00:00", "14:00:03", "14:00:33", 1)[1]))
    assert response.status_code == 202, response.get_json()
    call_row = calls(app)["m7"]
    assert (call_row.user_id, call_row.unknown_extension) == (world["carol"], False)
    [activity] = activities(app, "call")
    assert activity.owner_id == world["carol"]
    asked = [r for r in pbx_server.requests if r["path"] == "/config/users/request"]
    assert len(asked) == 1 and asked[0]["form"]["vpbx_api_key"] == [KEY]


@pytest.mark.parametrize("body", [b"\xff\xfe", b"vpbx_api_key=%zz", b""])
def test_a_body_that_is_no_form_is_refused_never_500(app, client, world, body):
    response = client.post("/telephony/webhook/mango/events/call", data=body,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code in (400, 401) and response.get_json()["fields"]


def test_the_webhooks_own_address_takes_mango_events_too(app, client, world):
    response = client.post("/telephony/webhook/mango", data=form(DAY[0][1]))
    assert response.status_code == 202 and "m1" in calls(app)


def test_a_callback_is_a_signed_command(app, world, pbx_server):
    pbx_server.answers["/commands/callback"] = (200, {"result": 1000})
    assert Mango().place_callback("201", "+" + STRANGER, app.config, request_id="click-7", our_number="+" + LINE) is None
    [sent] = [r for r in pbx_server.requests if r["path"] == "/commands/callback"]
    text = sent["form"]["json"][0]
    assert json.loads(text) == {"command_id": "click-7", "from": {"extension": "201"}, "to_number": STRANGER, "line_number": LINE}
    assert sent["form"]["sign"] == [hashlib.sha256((KEY + text + SALT).encode()).hexdigest()]


def test_a_refused_callback_names_mangos_code(app, world, pbx_server):
    pbx_server.answers["/commands/callback"] = (200, {"result": 3102})
    with app.test_request_context(), pytest.raises(CallbackRefused, match="3102"):
        Mango().place_callback("201", "+" + STRANGER, app.config)


def test_a_recording_plays_through_a_link_signed_now(app, client_for, world):
    response = client_for(api_user(app, world["aigul"])).get("/telephony/recording/mango/MToxMDA1")
    location = response.headers["Location"]
    prefix = f"{app.config['TELEPHONY_MANGO_API_URL']}/queries/recording/link/MToxMDA1/play/{KEY}/"
    assert response.status_code == 302 and location.startswith(prefix)
    expires, sign = location.removeprefix(prefix).split("/")
    assert sign == hashlib.sha256((KEY + expires + "MToxMDA1" + SALT).encode()).hexdigest()


def api_user(app, user_id):
    with app.app_context():
        return api.find_user(id=user_id)
