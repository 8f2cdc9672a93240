"""Outgoing webhooks, end to end: a record changed through the real app, the real job, and a real
HTTP receiver on 127.0.0.1."""

import json
import os
import signal
import subprocess
import sys
import time
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crmkit import db, hookimpl, jobs
from crmkit.core.auth.models import User
from crmkit.core.webhooks import service
from crmkit.core.webhooks.models import WebhookDelivery
from crmkit.webhooks import ReplayGuard, SignatureError, signed_headers, verify
from tests.conftest import TEST_SECRET, add_user, csrf_token, login
from tests.plugins.projects import hooks as projects
from tests.webhook_receiver import Receiver, receiver  # noqa: F401 - the receiver fixture

SECRET = "whsec-test-0123456789"


def new_project(client, name="Flat on Abay"):
    token = csrf_token(client, "/projects/project/new")
    return client.post("/projects/project/new", data={"name": name, "status": "planned", "csrf_token": token})


def add_webhook(app, url, **options):
    with app.app_context():
        return service.add_webhook(db.session(), url, secret=SECRET, **options).id


def deliveries(app):
    with app.app_context():
        return list(db.session().execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars())


def aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.fixture
def immediate_app(make_app):
    return make_app(plugins=[projects], JOBS_IMMEDIATE=True)


def test_a_created_record_is_posted_signed_to_the_receiver(immediate_app, admin_client_for, receiver):
    add_webhook(immediate_app, receiver.url, entity="projects.project")
    client = admin_client_for(immediate_app)
    assert new_project(client).status_code == 302
    [received] = receiver.wait_for(1)
    event_id = verify(SECRET, received.headers, received.body)
    payload = json.loads(received.body)
    assert payload["id"] == event_id == received.headers["X-Crmkit-Id"]
    assert payload["event"] == "create" and payload["entity"] == "projects.project"
    assert payload["record"]["name"] == "Flat on Abay" and payload["record"]["id"] == 1
    assert payload["changes"]["name"] == [None, "Flat on Abay"]
    assert datetime.fromisoformat(payload["occurred_at"]) > datetime.now(UTC) - timedelta(minutes=1)
    [delivery] = deliveries(immediate_app)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 200)


def test_a_tampered_body_or_wrong_secret_fails_verification(immediate_app, admin_client_for, receiver):
    add_webhook(immediate_app, receiver.url)
    new_project(admin_client_for(immediate_app))
    [received] = receiver.wait_for(1)
    with pytest.raises(SignatureError, match="signature"):
        verify(SECRET, received.headers, received.body.replace(b"Abay", b"Abai"))
    with pytest.raises(SignatureError, match="signature"):
        verify("another secret", received.headers, received.body)


def test_verify_refuses_stale_timestamps_and_repeated_ids():
    body = b'{"id":"e1"}'
    old = signed_headers(SECRET, "e1", body, timestamp=int(time.time()) - 3600)
    with pytest.raises(SignatureError, match="too old"):
        verify(SECRET, old, body)
    guard = ReplayGuard()
    fresh = signed_headers(SECRET, "e1", body)
    assert verify(SECRET, fresh, body, seen=guard) == "e1"
    with pytest.raises(SignatureError, match="already received"):
        verify(SECRET, fresh, body, seen=guard)
    with pytest.raises(SignatureError, match="missing"):
        verify(SECRET, {}, body)


def test_update_archive_and_restore_are_sent_as_their_events(immediate_app, admin_client_for, receiver):
    add_webhook(immediate_app, receiver.url)
    client = admin_client_for(immediate_app)
    new_project(client)
    with immediate_app.app_context():
        from crmkit.entities.service import Records

        admin = db.session().execute(select(User)).scalars().first()
        records = Records(immediate_app.extensions["crmkit"].entities.get("projects.project"), admin)
        record = records.update(records.get(1), {"status": "active"}, version=1)
        record = records.archive(record)
        records.restore(record)
    received = receiver.wait_for(4)
    bodies = [json.loads(r.body) for r in received]
    assert [b["event"] for b in bodies] == ["create", "update", "archive", "restore"]
    assert bodies[1]["changes"] == {"status": ["planned", "active"]}
    assert bodies[2]["record"]["archived_at"] is not None and bodies[3]["record"]["archived_at"] is None
    assert len({b["id"] for b in bodies}) == 4


def test_a_webhook_gets_only_its_entity_and_events(immediate_app, admin_client_for, receiver):
    add_webhook(immediate_app, receiver.url, entity="projects.project", events=["archive"])
    new_project(admin_client_for(immediate_app))
    assert receiver.wait_for(1, timeout=0.5) == [] and deliveries(immediate_app) == []


def test_a_receiver_answering_500_is_retried_with_backoff_and_each_attempt_recorded(make_app, admin_client_for):
    app = make_app(plugins=[projects], JOBS_IMMEDIATE=True, WEBHOOKS_BACKOFF=(60, 300))
    with Receiver(statuses=[500, 503]) as failing:
        add_webhook(app, failing.url)
        before = datetime.now(UTC)
        new_project(admin_client_for(app))
        [delivery] = deliveries(app)
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
        assert "HTTP 500" in delivery.last_error
        wait = aware(delivery.next_attempt_at) - before
        assert timedelta(seconds=59) < wait < timedelta(seconds=75)
        with app.app_context():  # not due yet: the periodic job leaves it alone
            jobs.enqueue("core.webhooks.retry_due")
        assert deliveries(app)[0].attempts == 1
        for expected_attempts, expected_code, expected_wait in ((2, 503, 300), (3, 200, None)):
            with app.app_context():  # as if the backoff had passed
                db.session().get(WebhookDelivery, delivery.id).next_attempt_at = datetime.now(UTC) - timedelta(seconds=1)
                db.session().commit()
                jobs.enqueue("core.webhooks.retry_due")
            [delivery] = deliveries(app)
            assert (delivery.attempts, delivery.last_status_code) == (expected_attempts, expected_code)
            if expected_wait:
                wait = aware(delivery.next_attempt_at) - aware(delivery.last_attempt_at)
                assert wait == timedelta(seconds=expected_wait)
        assert delivery.status == "delivered" and delivery.next_attempt_at is None
        ids = {r.headers["X-Crmkit-Id"] for r in failing.requests}
        assert len(failing.requests) == 3 and ids == {delivery.event_id}


def test_after_the_last_attempt_a_delivery_is_failed(make_app, admin_client_for):
    app = make_app(plugins=[projects], JOBS_IMMEDIATE=True, WEBHOOKS_BACKOFF=(0,), WEBHOOKS_MAX_ATTEMPTS=2)
    with Receiver(statuses=[500, 500, 500]) as failing:
        add_webhook(app, failing.url)
        new_project(admin_client_for(app))
        with app.app_context():
            jobs.enqueue("core.webhooks.retry_due")
            jobs.enqueue("core.webhooks.retry_due")
        [delivery] = deliveries(app)
        assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 2, None)
        assert len(failing.requests) == 2


def test_an_unreachable_receiver_is_recorded_and_retried(make_app, admin_client_for):
    app = make_app(plugins=[projects], JOBS_IMMEDIATE=True)
    with Receiver() as closed:
        url = closed.url
    add_webhook(app, url)
    new_project(admin_client_for(app))
    [delivery] = deliveries(app)
    assert delivery.status == "pending" and delivery.last_status_code is None and delivery.last_error


def test_a_delivery_whose_job_was_lost_is_sent_by_the_periodic_sweep(make_app, admin_client_for, receiver):
    app = make_app(plugins=[projects])  # jobs wait in SQLite; no worker runs
    add_webhook(app, receiver.url)
    new_project(admin_client_for(app))
    huey = jobs.jobs_of(app).huey
    assert huey.pending_count() == 1
    huey.flush()  # the queue is lost: a crash, a wiped Redis
    huey.execute(jobs.jobs_of(app).tasks["core.webhooks.retry_due"].s())  # what the scheduler starts each minute
    [received] = receiver.wait_for(1)
    assert verify(SECRET, received.headers, received.body)
    assert deliveries(app)[0].status == "delivered"


def test_a_change_that_rolls_back_sends_nothing(make_app, admin_client_for, receiver):
    def fail_after_create(event):
        if event == "after_create":
            raise RuntimeError("the change fails after the outbox row was written")

    failing = types.ModuleType("failing")
    failing.__file__ = str(Path(__file__).parent / "plugins" / "inline" / "hooks.py")
    failing.entity_event = hookimpl(trylast=True, specname="entity_event")(fail_after_create)
    app = make_app(plugins=[projects, failing], JOBS_IMMEDIATE=True)
    add_webhook(app, receiver.url)
    client = admin_client_for(app)
    with pytest.raises(RuntimeError, match="outbox"):
        new_project(client)
    assert receiver.wait_for(1, timeout=1) == []
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(WebhookDelivery)).scalar_one() == 0
        assert db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one() == 0


def test_a_webhook_sends_only_records_its_creator_may_see(immediate_app, admin_client_for, receiver):
    agent = add_user(immediate_app, "agent@example.com", role="agent")
    add_webhook(immediate_app, receiver.url, user=agent)
    new_project(admin_client_for(immediate_app), name="The admin's")
    agent_client = immediate_app.test_client()
    login(agent_client, "agent@example.com")
    new_project(agent_client, name="The agent's")
    [received] = receiver.wait_for(1)
    assert json.loads(received.body)["record"]["name"] == "The agent's"
    assert receiver.wait_for(2, timeout=0.5) == [received]


def test_a_real_worker_process_sends_what_the_app_queued(make_app, admin_client_for, database_url, instance_path, receiver):
    app = make_app(plugins=[projects])  # jobs wait in SQLite in the instance folder
    add_webhook(app, receiver.url)
    new_project(admin_client_for(app))
    assert receiver.requests == [] and deliveries(app)[0].status == "pending"
    env = {
        **os.environ,
        "CRMKIT_INSTANCE_PATH": str(instance_path),
        "CRMKIT_DATABASE_URL": database_url,
        "CRMKIT_SECRET_KEY": TEST_SECRET,
        "CRMKIT_LOAD_ENTRY_POINTS": "false",
    }
    worker = subprocess.Popen(
        [str(Path(sys.executable).with_name("crmkit")), "worker", "--workers", "1"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=instance_path.parent,
    )
    try:
        [received] = receiver.wait_for(1, timeout=30)
        assert verify(SECRET, received.headers, received.body)
        deadline = time.monotonic() + 10
        while deliveries(app)[0].status != "delivered" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert deliveries(app)[0].status == "delivered"
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0].decode()
    assert "crmkit worker" in output, output
