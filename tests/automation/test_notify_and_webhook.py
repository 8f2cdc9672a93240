"""The bell and a signed webhook as a rule's actions: the owner is notified in the app, linked to
the record; the webhook is POSTed after the commit, signed so that crmkit.webhooks.verify accepts it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.notifications.models import Notification
from crmkit.webhooks import verify
from tests.automation.conftest import new_deal, runs, save_rule
from tests.people import person
from tests.webhook_receiver import Receiver

SECRET = "a rules webhook secret"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, AUTOMATION_CACHE_SECONDS=0, AUTOMATION_WEBHOOK_SECRET=SECRET)


def test_the_owner_is_notified_in_the_app(app, admin_id, sales):
    dana = person(app, "dana@example.com")
    save_rule(app, {"name": "New deal: tell the owner", "entity": "deal", "trigger": {"type": "record_created"},
                    "actions": [{"type": "notify", "title": "A new deal is yours", "to": "owner"}]})

    deal_id = new_deal(app, "dana@example.com", sales)

    with app.app_context():
        [note] = db.session().execute(select(Notification).where(Notification.user_id == dana)).scalars()
    assert (note.title, note.kind, note.url, note.record_id) == ("A new deal is yours", "automation.rule", f"/deal/{deal_id}", deal_id)


def test_a_webhook_is_signed_and_sent_after_the_commit(app, admin_id, sales):
    person(app, "dana@example.com")
    with Receiver() as receiver:
        save_rule(app, {"name": "New deal: tell the site", "entity": "deal", "trigger": {"type": "record_created"},
                        "actions": [{"type": "webhook", "url": receiver.url}]})

        deal_id = new_deal(app, "dana@example.com", sales)

        [request] = receiver.wait_for(1)
    verify(SECRET, request.headers, request.body)
    sent = json.loads(request.body)
    assert (sent["rule"], sent["entity"], sent["record"]["id"]) == ("New deal: tell the site", "deal", deal_id)
    assert [(run.trigger, run.result) for run in runs(app, record_id=deal_id)] == [("record_created", "ok"), ("webhook", "ok")]
