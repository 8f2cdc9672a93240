"""Which webhooks are active, kept per process for ``WEBHOOKS_CACHE_SECONDS``: every change of
every record asks, and a SELECT per change was a fifth of a stage move's time.

A change of a webhook made in this process (the admin page, the CLI, any ORM write of a
``Webhook``) is seen at once. One made or switched on in another process is seen within
``WEBHOOKS_CACHE_SECONDS`` (default 5): the events of those seconds are not sent to it. One
switched off or removed in another process never gets another delivery: ``record_event`` reads
the webhooks an event is for before writing their deliveries. 0 asks the database every time.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from crmkit.core.webhooks.models import Webhook

CACHE_KEY = "crmkit_active_webhooks"
_generation = 0  # bumped by every ORM write of a Webhook in this process
_lock = threading.Lock()


@dataclass(frozen=True)
class Listener:
    """What deciding whether a webhook wants an event needs, without a session."""

    id: int
    entity: str
    events: tuple[str, ...]

    def wants(self, entity_key: str, event_name: str) -> bool:
        return self.entity in ("*", entity_key) and ("*" in self.events or event_name in self.events)


@dataclass(frozen=True)
class Cached:
    listeners: tuple[Listener, ...]
    generation: int
    until: float


def active(db: Session) -> tuple[Listener, ...]:
    """The active webhooks, from this app's cache while it is fresh."""
    seconds = float(current_app.config.get("WEBHOOKS_CACHE_SECONDS", 0) or 0)
    cached: Cached | None = current_app.extensions.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and cached.generation == _generation and now < cached.until:
        return cached.listeners
    generation = _generation
    rows = db.execute(select(Webhook.id, Webhook.entity, Webhook.events).where(Webhook.active.is_(True)).order_by(Webhook.id))
    listeners = tuple(Listener(row.id, row.entity, tuple(row.events or ())) for row in rows)
    if seconds > 0:
        current_app.extensions[CACHE_KEY] = Cached(listeners, generation, now + seconds)
    return listeners


def forget() -> None:
    """Drop every app's list in this process: a webhook was written."""
    global _generation
    with _lock:
        _generation += 1


def _written(_mapper, _connection, webhook: Webhook) -> None:
    """At the flush, and again at the commit: a list read in between (without the change, not yet
    committed) must not outlive it."""
    forget()
    session = object_session(webhook)
    if session is not None:
        session.info[CACHE_KEY] = True


def _committed(session: Session) -> None:
    if session.info.pop(CACHE_KEY, False):
        forget()


for _name in ("after_insert", "after_update", "after_delete"):
    event.listen(Webhook, _name, _written)
event.listen(Session, "after_commit", _committed)
