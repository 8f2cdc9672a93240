"""The signed webhook: genuine deliveries become leads once; forged, stale and bad ones do not."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.intake_webhook.models import WebhookSender
from crmkit.core.leads.models import Lead


def leads(app):
    with app.app_context():
        return list(db.session().execute(select(Lead).order_by(Lead.id)).scalars())


def lead_count(app):
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Lead)).scalar_one()


def test_a_well_signed_delivery_is_a_lead_answered_202(app, make_sender, deliver, make_source):
    krisha = make_source("krisha", utm_source="krisha")
    key, secret, _ = make_sender("Krisha.kz")
    response = deliver(key, secret, {
        "id": "ad-77", "name": "Данияр", "phones": ["+7 701 111 22 33"], "email": "d@mail.kz",
        "request": "Куплю дом", "utm": {"utm_source": "krisha", "utm_medium": "listing"},
        "received_at": "2026-03-02T08:59:00Z", "fields": {},
    })
    assert response.status_code == 202
    assert response.json["status"] == "accepted" and response.json["created"] is True
    [lead] = leads(app)
    assert response.json["lead_id"] == lead.id
    assert (lead.channel, lead.name, lead.phones, lead.emails, lead.source_id) == ("webhook", "Данияр", "+7 701 111 22 33", "d@mail.kz", krisha)
    assert lead.utm_medium == "listing" and lead.received_at.isoformat().startswith("2026-03-02T08:59")
    assert lead.raw["body"]["id"] == "ad-77"


def test_a_replayed_id_answers_the_same_lead_and_makes_nothing(app, make_sender, deliver):
    key, secret, sender_id = make_sender()
    first = deliver(key, secret, {"id": "42", "name": "A"})
    again = deliver(key, secret, {"id": "42", "name": "A, again"})
    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json == {"status": "accepted", "lead_id": first.json["lead_id"], "created": False}
    assert lead_count(app) == 1
    with app.app_context():
        assert db.session().get(WebhookSender, sender_id).received_count == 1


def test_two_senders_may_use_the_same_id(app, make_sender, deliver):
    one, two = make_sender("One"), make_sender("Two")
    assert deliver(one[0], one[1], {"id": "1"}).json["created"]
    assert deliver(two[0], two[1], {"id": "1"}).json["created"]
    assert lead_count(app) == 2


def test_a_bad_signature_is_401(app, make_sender, deliver):
    key, secret, _ = make_sender()
    response = deliver(key, secret, {"id": "1"}, signature="sha256=" + "0" * 64)
    assert response.status_code == 401 and "X-Crmkit-Signature" in response.json["error"]["fields"]
    other_secret = deliver(key, "not-the-secret", {"id": "1"})
    assert other_secret.status_code == 401
    assert lead_count(app) == 0


def test_a_body_changed_after_signing_is_401(app, make_sender, client):
    from crmkit.core.intake_webhook.signing import signature

    key, secret, _ = make_sender()
    now = str(int(time.time()))
    response = client.post(f"/intake/webhook/{key}", data=b'{"id": "2"}', content_type="application/json",
                           headers={"X-Crmkit-Timestamp": now, "X-Crmkit-Signature": signature(secret, now, b'{"id": "1"}')})
    assert response.status_code == 401


@pytest.mark.parametrize("age", [301, 3600, -400])
def test_a_timestamp_more_than_five_minutes_away_is_401(app, make_sender, deliver, age):
    key, secret, _ = make_sender()
    response = deliver(key, secret, {"id": "1"}, at=time.time() - age)
    assert response.status_code == 401 and "X-Crmkit-Timestamp" in response.json["error"]["fields"]
    assert lead_count(app) == 0


def test_a_timestamp_within_five_minutes_is_fine(app, make_sender, deliver):
    key, secret, _ = make_sender()
    assert deliver(key, secret, {"id": "1"}, at=time.time() - 240).status_code == 202


def test_an_unknown_or_archived_sender_is_404(app, make_sender, deliver):
    assert deliver("nobody", "x", {"id": "1"}).status_code == 404
    key, secret, sender_id = make_sender()
    with app.app_context():
        db.session().get(WebhookSender, sender_id).active = False
        db.session().commit()
    assert deliver(key, secret, {"id": "1"}).status_code == 404


def test_a_delivery_without_an_id_or_with_bad_fields_is_422(app, make_sender, deliver):
    key, secret, _ = make_sender()
    response = deliver(key, secret, {"name": ["not", "text"], "phones": {"a": 1}, "received_at": "yesterday"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"id", "name", "phones", "received_at"}
    assert lead_count(app) == 0


@pytest.mark.parametrize("body", [b"{broken", b"[]", b'{"id": "\xff"}'])
def test_a_body_that_is_not_a_json_object_in_utf8_is_400(app, make_sender, deliver, body):
    key, secret, _ = make_sender()
    response = deliver(key, secret, None, body=body)
    assert response.status_code == 400 and response.json["error"]["fields"]["_body"]


def test_an_oversized_body_is_413(make_app, client, make_sender, deliver):
    key, secret, _ = make_sender()
    response = deliver(key, secret, {"id": "1", "request": "x" * 300_000})
    assert response.status_code == 413


def test_html_and_overlong_text_are_kept_as_sent(app, make_sender, deliver):
    key, secret, _ = make_sender()
    deliver(key, secret, {"id": "h", "name": "<b>Bold</b>" + "я" * 300})
    [lead] = leads(app)
    assert lead.name.startswith("<b>Bold</b>") and len(lead.name) == 200 and lead.name.endswith("…")
    assert lead.raw["cut"]["name"] == "<b>Bold</b>" + "я" * 300


def test_the_webhook_is_in_the_openapi_document(app, api_client):
    document = api_client("admin").get("/api/v1/openapi.json").json
    operation = document["paths"]["/intake/webhook/{key}"]["post"]
    assert {p["name"] for p in operation["parameters"]} == {"key", "X-Crmkit-Timestamp", "X-Crmkit-Signature"}
    assert set(operation["responses"]) >= {"202", "401", "413", "422"}
