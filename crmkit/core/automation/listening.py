"""Which rules listen to which events, kept per process for ``AUTOMATION_CACHE_SECONDS``
(crmkit.listeners): every change of every record asks, and a SELECT per change would slow every
save down.

A rule written in this process (the admin page, ``crmkit rules apply``, any ORM write of a
``Rule``) is seen at once; one written in another process within the cache's seconds (default 5).
The engine reads the rules themselves before running them, so one switched off elsewhere never runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from crmkit.core.automation.models import Rule
from crmkit.listeners import ListenerCache

CACHE_KEY = "crmkit_automation_rules"


@dataclass(frozen=True)
class Listener:
    id: int
    entity: str
    trigger: str


def _load(db: Session) -> tuple[Listener, ...]:
    rows = db.execute(select(Rule.id, Rule.entity, Rule.trigger).where(Rule.enabled.is_(True)).order_by(Rule.position, Rule.id))
    return tuple(Listener(row.id, row.entity, (row.trigger or {}).get("type", "")) for row in rows)


_cache: ListenerCache[Listener] = ListenerCache(Rule, CACHE_KEY, "AUTOMATION_CACHE_SECONDS", _load)
active = _cache.active  # the enabled rules (id, entity, trigger type), from this app's cache while it is fresh
forget = _cache.forget


def wanting(db: Session, entity_key: str, trigger: str) -> list[int]:
    return [listener.id for listener in active(db) if listener.entity == entity_key and listener.trigger == trigger]
