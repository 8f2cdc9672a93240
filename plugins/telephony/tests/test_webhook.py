"""The signed webhook refuses what is not genuine or not readable, clearly and never with a 500;
calls to extensions nobody answers for are kept and shown to admins."""

import json
import time

import pytest

from crmkit import api
from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER
from telephony_helpers import SECRET, URL, activities, calls, event, post


@pytest.fixture(autouse=True)
def secret(app):
    app.config["TELEPHONY_WEBHOOK_SECRET"] = SECRET


def ringing(call_id="w1", **facts):
    return event("ringing", call_id, "09:00:00", caller="+77011234567", called="+77272000000", **facts)


def test_a_delivery_signed_with_another_secret_is_401_and_kept_nowhere(app, client):
    response = post(client, ringing(), secret="guess")
    assert response.status_code == 401 and SIGNATURE_HEADER in response.get_json()["fields"]
    assert calls(app) == {}


def test_an_old_signature_is_401_so_a_captured_delivery_cannot_be_replayed(app, client):
    body = json.dumps(ringing()).encode()
    stale = str(int(time.time()) - 3600)
    from crmkit_telephony.generic import signature

    response = client.post(URL, data=body, headers={TIMESTAMP_HEADER: stale, SIGNATURE_HEADER: signature(SECRET, stale, body)})
    assert response.status_code == 401 and TIMESTAMP_HEADER in response.get_json()["fields"]


def test_without_a_configured_secret_every_delivery_is_refused(app, client):
    app.config["TELEPHONY_WEBHOOK_SECRET"] = ""
    assert post(client, ringing(), secret="").status_code == 401


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"[]", b"42", b'{"events": "x"}', b'{"events": []}'])
def test_a_body_that_is_no_list_of_events_is_400(client, body):
    response = post(client, None, body=body)
    assert response.status_code == 400 and response.get_json()["fields"]


@pytest.mark.parametrize("field, value", [
    ("event", "exploded"), ("direction", "sideways"), ("call_id", None), ("call_id", 7), ("at", "yesterday"),
    ("at", "2026-03-02T09:00:00"), ("duration", -1), ("duration", "60"), ("caller", "9" * 41),
])
def test_a_bad_field_is_400_naming_it(client, field, value):
    bad = {**ringing(), field: value}
    response = post(client, [ringing("ok"), bad])
    assert response.status_code == 400
    assert f"events[1].{field}" in response.get_json()["fields"]


def test_a_bad_event_in_a_delivery_keeps_none_of_it(app, client):
    post(client, [ringing("ok"), {**ringing(), "event": "exploded"}])
    assert calls(app) == {}


def test_an_unknown_provider_is_404(client):
    assert client.post("/telephony/webhook/nobody", data=b"{}").status_code == 404


def test_a_number_that_is_no_phone_is_kept_without_a_match(app, client, make_user):
    user = make_user("agent")
    with app.app_context():
        from crmkit_telephony.models import Extension

        api.session().add(Extension(provider="generic", extension="101", user_id=user.id))
        api.session().commit()
    post(client, [event("ringing", "x1", "09:00:00", caller="anonymous", called="+77272000000", extension="101"),
                  event("missed", "x1", "09:00:20", caller="anonymous", called="+77272000000", extension="101")])
    call = calls(app)["x1"]
    assert call.outcome == "missed" and call.about_entity is None and call.their_number == "anonymous"
    assert [a.outcome for a in activities(app, "call")] == ["missed"]


def test_a_call_to_an_unknown_extension_is_kept_and_shown_to_admins(app, client, client_for, make_user):
    post(client, [ringing("u1", extension="777"), event("ended", "u1", "09:01:00", extension="777", duration=30)])
    assert calls(app)["u1"].unknown_extension
    admin = client_for("admin")
    page = admin.get("/telephony/admin").get_data(as_text=True)
    assert 'data-call="u1"' in page and "777" in page
    assert client_for("agent").get("/telephony/admin").status_code == 403


def test_mapping_the_extension_gives_its_calls_to_the_user(app, client, client_for, make_user):
    from crmkit.testing.accounts import csrf_token

    post(client, [ringing("u1", extension="777")])
    aigul = make_user("agent", email="aigul@example.kz")
    admin = client_for("admin")
    token = csrf_token(admin, "/telephony/admin")
    response = admin.post("/telephony/admin/extensions", data={
        "csrf_token": token, "provider": "generic", "extension": "777", "email": "aigul@example.kz"})
    assert response.status_code == 302
    call = calls(app)["u1"]
    assert (call.unknown_extension, call.user_id) == (False, aigul.id)


def test_mapping_to_an_unknown_email_says_so(client_for):
    from crmkit.testing.accounts import csrf_token

    admin = client_for("admin")
    token = csrf_token(admin, "/telephony/admin")
    response = admin.post("/telephony/admin/extensions", data={
        "csrf_token": token, "provider": "generic", "extension": "5", "email": "ghost@example.kz"})
    assert response.status_code == 422 and "Нет активного пользователя с таким email." in response.get_data(as_text=True)  # the admin reads Russian


def test_the_webhook_is_documented_in_the_openapi_document(api_client):
    document = api_client("admin").get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/telephony/webhook/generic"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {SIGNATURE_HEADER, TIMESTAMP_HEADER}
    assert {"202", "400", "401"} <= set(operation["responses"])
