"""Which webhooks are active is kept per process (crmkit/core/webhooks/listening.py): changes made
in this process are seen at once, those made by another process (here: SQL on a connection of its
own, which no ORM event sees) within WEBHOOKS_CACHE_SECONDS, and a webhook switched off or removed
elsewhere never gets a delivery, nor breaks a save."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, text

from crmkit import db
from crmkit.core.webhooks import listening, service
from crmkit.core.webhooks.models import WebhookDelivery
from tests.pipelining import acting_as, new_pipeline

ADMIN = "admin@example.com"


@pytest.fixture
def app(make_app, admin_client):
    app = make_app(DEFAULT_LOCALE="en")
    app.sales = new_pipeline(app)
    return app


def save_deal(app, title="Deal") -> int:
    with acting_as(app, ADMIN) as records:
        return records.create({"title": title, "pipeline_id": app.sales["pipeline"]}).id


def delivered_for(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = db.session().execute(select(WebhookDelivery.webhook_id, WebhookDelivery.event).order_by(WebhookDelivery.id))
        return [tuple(row) for row in rows]


def elsewhere(app, sql: str, **params) -> None:
    """A write by another process: SQL on a connection of its own, unseen by this process's ORM."""
    with db.engine_of(app).begin() as connection:
        for statement in sql.split("; "):
            connection.execute(text(statement), params)


def insert_elsewhere(app, url="https://example.com/hook") -> int:
    elsewhere(app, "INSERT INTO core_webhook (entity, events, url, secret, active, created_at) "
                   "VALUES ('*', '[\"*\"]', :url, 'secret', :yes, CURRENT_TIMESTAMP)", url=url, yes=True)
    with app.app_context():
        return db.session().execute(text("SELECT max(id) FROM core_webhook")).scalar_one()


@pytest.fixture
def clock(monkeypatch):
    """listening's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(listening.time, "monotonic", lambda: now[0])
    return now


def test_a_webhook_added_in_this_process_gets_the_next_event(app):
    save_deal(app)  # the empty list is cached now
    with app.app_context():
        hook = service.add_webhook(db.session(), "https://example.com/hook").id
    save_deal(app)
    assert delivered_for(app) == [(hook, "create")]


def test_a_webhook_added_by_another_process_is_seen_once_the_cache_expires(app, clock):
    save_deal(app)
    hook = insert_elsewhere(app)
    save_deal(app, "Within the cache's seconds")
    assert delivered_for(app) == []
    clock[0] += app.config["WEBHOOKS_CACHE_SECONDS"] + 0.1
    save_deal(app, "After them")
    assert delivered_for(app) == [(hook, "create")]


def test_with_no_cache_a_webhook_added_elsewhere_is_seen_at_once(app):
    app.config["WEBHOOKS_CACHE_SECONDS"] = 0
    save_deal(app)
    hook = insert_elsewhere(app)
    save_deal(app)
    assert delivered_for(app) == [(hook, "create")]


@pytest.mark.parametrize("change", ["DELETE FROM core_webhook_delivery WHERE webhook_id = :id; DELETE FROM core_webhook WHERE id = :id",
                                    "UPDATE core_webhook SET active = :no WHERE id = :id"])
def test_a_webhook_removed_or_switched_off_elsewhere_gets_nothing_and_breaks_no_save(app, clock, change):
    with app.app_context():
        hook = service.add_webhook(db.session(), "https://example.com/hook").id
    save_deal(app)  # cached: the webhook is active
    elsewhere(app, change, id=hook, no=False)
    save_deal(app, "Saved all the same")  # no delivery names a removed webhook: the save raises nothing
    assert delivered_for(app) == ([(hook, "create")] if "UPDATE" in change else [])


def test_while_the_cache_is_fresh_an_event_asks_nothing_about_webhooks(app):
    save_deal(app)
    asked = []

    def count(_connection, _cursor, statement, *_args):
        if "core_webhook" in statement:
            asked.append(statement)

    engine = db.engine_of(app)
    event.listen(engine, "before_cursor_execute", count)
    try:
        save_deal(app, "Second")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert asked == []
