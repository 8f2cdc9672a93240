"""Outgoing webhooks: the outbox row written with each change, and sending it with retries.

An ``after_*`` entity event adds one delivery row per interested webhook to the same session,
so the row commits with the change or not at all, and queues the ``core.webhooks.deliver`` job
for after the commit. Each attempt first claims its row (moves ``next_attempt_at`` past the
time the attempt may take), so two workers never send one delivery at once; a failed attempt
sets the next one after a backoff, and the periodic ``core.webhooks.retry_due`` job sends what is
due, so retries survive restarts and a lost queue.
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, object_session

from crmkit import jobs
from crmkit.core.webhooks import listening
from crmkit.core.webhooks.models import EVENTS, Webhook, WebhookDelivery
from crmkit.db import utcnow
from crmkit.entities.history import plain
from crmkit.i18n import gettext as _
from crmkit.webhooks import signed_headers

CONFIG_DEFAULTS = {
    "WEBHOOKS_BACKOFF": (60, 300, 1800, 7200, 43200),  # seconds before the 2nd, 3rd... attempt
    "WEBHOOKS_MAX_ATTEMPTS": 6,
    "WEBHOOKS_TIMEOUT": 10,  # seconds for one POST
    "WEBHOOKS_BATCH": 100,  # deliveries one run of retry_due sends at most
    "WEBHOOKS_CACHE_SECONDS": 5,  # how long a process trusts its list of active webhooks (0: ask every time)
}
ENTITY_EVENTS = {f"after_{name}": name for name in EVENTS}
USER_AGENT = "crmkit-webhooks/1"


class WebhookError(ValueError):
    """Bad input for a webhook; the message is for the person who typed it."""


# managing webhooks (the admin page and `crmkit webhooks`)
def add_webhook(db: Session, url: str, entity: str = "*", events=("*",), secret: str | None = None, user=None) -> Webhook:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WebhookError(_("The address must start with http:// or https://."))
    known = {e.key for e in current_app.extensions["crmkit"].entities}
    if entity != "*" and entity not in known:
        raise WebhookError(_("There is no entity %(entity)s.", entity=entity))
    events = sorted(set(events)) or ["*"]
    unknown = [e for e in events if e != "*" and e not in EVENTS]
    if unknown:
        raise WebhookError(_("Unknown events: %(events)s.", events=", ".join(unknown)))
    webhook = Webhook(
        url=url.strip(),
        entity=entity,
        events=["*"] if "*" in events else events,
        secret=secret or secrets.token_urlsafe(32),
        created_by=getattr(user, "id", user),
    )
    db.add(webhook)
    db.commit()
    return webhook


def list_webhooks(db: Session) -> list[Webhook]:
    return list(db.execute(select(Webhook).order_by(Webhook.id)).scalars())


def set_active(db: Session, webhook: Webhook, active: bool) -> None:
    webhook.active = active
    if not active:
        _cancel_pending(db, webhook.id)
    db.add(webhook)
    db.commit()


def remove_webhook(db: Session, webhook: Webhook) -> None:
    """Remove a webhook with its deliveries."""
    db.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook.id))
    db.delete(webhook)
    db.commit()


def _cancel_pending(db: Session, webhook_id: int) -> None:
    db.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.webhook_id == webhook_id, WebhookDelivery.status == "pending")
        .values(status="cancelled", next_attempt_at=None)
    )


def recent_deliveries(db: Session, limit: int = 50) -> list[WebhookDelivery]:
    return list(db.execute(select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)).scalars())


# the outbox
def record_event(event: str, entity, record, changes: dict[str, Any]) -> None:
    """Write a delivery for each webhook that wants this event, in the change's own transaction."""
    db = object_session(record)
    if db is None:
        return
    wanted = [w.id for w in listening.active(db) if w.wants(entity.key, event)]
    if not wanted:
        return
    # the list may be a few seconds old: read the webhooks themselves, so one switched off or
    # removed meanwhile in another process gets nothing (and no delivery names a removed one)
    found = db.execute(select(Webhook).where(Webhook.id.in_(wanted), Webhook.active.is_(True)).order_by(Webhook.id)).scalars()
    webhooks = [w for w in found if w.wants(entity.key, event) and creator_sees(db, w, entity, record)]
    if not webhooks:
        return
    now = utcnow()
    event_id = str(uuid.uuid4())
    if event == "create":  # the same shape as an update's: each field as [old, new]
        changes = {name: [None, value] for name, value in changes.items()}
    payload = {
        "id": event_id,
        "event": event,
        "entity": entity.key,
        "record": record_data(entity, record),
        "changes": plain(changes),
        "occurred_at": now.isoformat(),
    }
    deliveries = [
        WebhookDelivery(
            webhook_id=w.id,
            event_id=event_id,
            entity=entity.key,
            record_id=record.id,
            event=event,
            payload=payload,
            next_attempt_at=now,
        )
        for w in webhooks
    ]
    db.add_all(deliveries)
    db.flush()
    jobs.enqueue_after_commit(db, "core.webhooks.deliver", [d.id for d in deliveries], user=None)


def creator_sees(db: Session, webhook: Webhook, entity, record) -> bool:
    """A webhook sends only records the user who made it may see (one made from a shell: all)."""
    if webhook.created_by is None:
        return True
    from crmkit.core.access.policy import Access
    from crmkit.core.auth.models import User

    creator = db.get(User, webhook.created_by)
    if creator is None or not creator.is_active:
        return False
    access = Access(db, creator)
    return access.can(entity.permission("view")) and access.sees(entity.key, record)


def record_data(entity, record) -> dict[str, Any]:
    """Every column of the record's row, JSON-safe (light extension fields are in ``extra``)."""
    return {column.key: plain(getattr(record, column.key, None)) for column in record.__table__.columns}


# sending
def deliver(delivery_ids: list[int]) -> None:
    """The job queued after a change commits: send its deliveries now."""
    for delivery_id in delivery_ids:
        attempt(delivery_id)


def retry_due() -> int:
    """The periodic job: send every pending delivery whose time has come; returns how many it tried."""
    from crmkit import db as database

    config = current_app.config
    due = database.session().execute(
        select(WebhookDelivery.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= utcnow())
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(int(config["WEBHOOKS_BATCH"]))
    )
    ids = list(due.scalars())
    database.session().commit()
    return sum(attempt(delivery_id) for delivery_id in ids)


def attempt(delivery_id: int) -> bool:
    """Claim one due delivery, POST it once and record the outcome; False when it wasn't ours to send."""
    from crmkit import db as database

    db = database.session()
    config = current_app.config
    now = utcnow()
    lease = now + timedelta(seconds=int(config["WEBHOOKS_TIMEOUT"]) + 60)
    claimed = db.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(next_attempt_at=lease)
    ).rowcount
    db.commit()
    if not claimed:
        return False
    delivery = db.get(WebhookDelivery, delivery_id)
    webhook = db.get(Webhook, delivery.webhook_id)
    if webhook is None or not webhook.active:
        delivery.status, delivery.next_attempt_at = "cancelled", None
        db.commit()
        return True
    code, error = post(webhook, delivery, float(config["WEBHOOKS_TIMEOUT"]))
    finished = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = finished
    delivery.last_status_code, delivery.last_error = code, error
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.next_attempt_at, delivery.delivered_at = "delivered", None, finished
    elif delivery.attempts >= int(config["WEBHOOKS_MAX_ATTEMPTS"]):
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        delivery.next_attempt_at = finished + timedelta(seconds=backoff(config, delivery.attempts))
    db.commit()
    return True


def backoff(config, attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt."""
    steps = config["WEBHOOKS_BACKOFF"]
    if isinstance(steps, str):
        steps = [float(s) for s in steps.split(",") if s.strip()]
    steps = list(steps) or [60]
    return float(steps[min(attempts, len(steps)) - 1])


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a redirect is an answer that isn't 2xx
        return None


def post(webhook: Webhook, delivery: WebhookDelivery, timeout: float) -> tuple[int | None, str | None]:
    """POST the delivery, signed; returns the status code (None when there was no answer) and an error."""
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = signed_headers(webhook.secret, delivery.event_id, body) | {"User-Agent": USER_AGENT}
    request = urllib.request.Request(webhook.url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        snippet = error.read(300).decode("utf-8", "replace")
        return error.code, f"HTTP {error.code}: {snippet}"[:500]
    except (urllib.error.URLError, OSError, ValueError) as error:
        return None, str(getattr(error, "reason", error))[:500]
