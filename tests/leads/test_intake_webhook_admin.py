"""Admins manage webhook senders: each gets an address and a secret, shown on asking, rotated."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.intake_webhook.models import WebhookSender
from tests.people import page, post

URL = "/admin/leads/webhooks/"


@pytest.fixture
def app(make_app):
    """Pages in English, whatever the deployment's default language."""
    return make_app(DEFAULT_LOCALE="en")


def sender(app, name):
    with app.app_context():
        return db.session().execute(select(WebhookSender).where(WebhookSender.name == name)).scalar_one_or_none()


def test_an_admin_adds_a_sender_and_sees_its_address_and_secret(app, admin_client):
    response = post(admin_client, URL, {"name": "Krisha.kz", "active": "on"})
    assert response.status_code == 302
    added = sender(app, "Krisha.kz")
    text = page(admin_client, response.location)
    assert f"/intake/webhook/{added.key}" in text and added.secret in text
    assert added.secret not in page(admin_client, URL)


def test_rotating_the_secret_stops_the_old_one(app, admin_client, deliver):
    post(admin_client, URL, {"name": "OLX", "active": "on"})
    before = sender(app, "OLX")
    post(admin_client, f"{URL}{before.id}", {"action": "rotate"})
    after = sender(app, "OLX")
    assert after.secret != before.secret
    assert deliver(after.key, before.secret, {"id": "1"}).status_code == 401
    assert deliver(after.key, after.secret, {"id": "1"}).status_code == 202


def test_a_sender_needs_a_name(app, admin_client):
    response = post(admin_client, URL, {"name": " "})
    assert response.status_code == 422 and "Give the sender a name" in response.get_data(as_text=True)


def test_archiving_a_sender_refuses_its_deliveries(app, admin_client, deliver):
    post(admin_client, URL, {"name": "Old portal", "active": "on"})
    found = sender(app, "Old portal")
    post(admin_client, f"{URL}{found.id}", {"action": "archive"})
    assert deliver(found.key, found.secret, {"id": "1"}).status_code == 404


def test_only_those_who_set_up_intake_reach_the_page(app, client_for):
    assert client_for("manager").get(URL).status_code == 403
    assert 'href="/admin/leads/webhooks/"' in page(client_for("admin"), "/admin/leads/")
