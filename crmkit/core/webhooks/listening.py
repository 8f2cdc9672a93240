"""Which webhooks are active, kept per process for ``WEBHOOKS_CACHE_SECONDS`` (crmkit.listeners):
every change of every record asks, and a SELECT per change was a fifth of a stage move's time.

A change of a webhook made in this process (the admin page, the CLI, any ORM write of a
``Webhook``) is seen at once. One made or switched on in another process is seen within
``WEBHOOKS_CACHE_SECONDS`` (default 5): the events of those seconds are not sent to it. One
switched off or removed in another process never gets another delivery: ``record_event`` reads
the webhooks an event is for before writing their deliveries. 0 asks the database every time.
"""

from __future__ import annotations

import time  # noqa: F401 - tests move the cache's clock through this module
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmkit.core.webhooks.models import Webhook
from crmkit.listeners import ListenerCache

CACHE_KEY = "crmkit_active_webhooks"


@dataclass(frozen=True)
class Listener:
    """What deciding whether a webhook wants an event needs, without a session."""

    id: int
    entity: str
    events: tuple[str, ...]

    def wants(self, entity_key: str, event_name: str) -> bool:
        return self.entity in ("*", entity_key) and ("*" in self.events or event_name in self.events)


def _load(db: Session) -> tuple[Listener, ...]:
    rows = db.execute(select(Webhook.id, Webhook.entity, Webhook.events).where(Webhook.active.is_(True)).order_by(Webhook.id))
    return tuple(Listener(row.id, row.entity, tuple(row.events or ())) for row in rows)


_cache: ListenerCache[Listener] = ListenerCache(Webhook, CACHE_KEY, "WEBHOOKS_CACHE_SECONDS", _load)
active = _cache.active  # the active webhooks, from this app's cache while it is fresh
forget = _cache.forget  # drop every app's list in this process: a webhook was written
