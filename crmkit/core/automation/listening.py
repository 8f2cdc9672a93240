"""Which rules listen to which events, kept per process for ``AUTOMATION_CACHE_SECONDS``: every
change of every record asks, and a SELECT per change would slow every save down.

A rule written in this process (the admin page, ``crmkit rules apply``, any ORM write of a
``Rule``) is seen at once; one written in another process within the cache's seconds (default 5).
The engine reads the rules themselves before running them, so one switched off elsewhere never runs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session, object_session

from crmkit.core.automation.models import Rule

CACHE_KEY = "crmkit_automation_rules"
_generation = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class Listener:
    id: int
    entity: str
    trigger: str


@dataclass(frozen=True)
class Cached:
    listeners: tuple[Listener, ...]
    generation: int
    until: float


def active(db: Session) -> tuple[Listener, ...]:
    """The enabled rules (id, entity, trigger type), from this app's cache while it is fresh."""
    seconds = float(current_app.config.get("AUTOMATION_CACHE_SECONDS", 0) or 0)
    cached: Cached | None = current_app.extensions.get(CACHE_KEY)
    now = time.monotonic()
    if cached is not None and cached.generation == _generation and now < cached.until:
        return cached.listeners
    generation = _generation
    rows = db.execute(select(Rule.id, Rule.entity, Rule.trigger).where(Rule.enabled.is_(True)).order_by(Rule.position, Rule.id))
    listeners = tuple(Listener(row.id, row.entity, (row.trigger or {}).get("type", "")) for row in rows)
    if seconds > 0:
        current_app.extensions[CACHE_KEY] = Cached(listeners, generation, now + seconds)
    return listeners


def wanting(db: Session, entity_key: str, trigger: str) -> list[int]:
    return [listener.id for listener in active(db) if listener.entity == entity_key and listener.trigger == trigger]


def forget() -> None:
    global _generation
    with _lock:
        _generation += 1


def _written(_mapper, _connection, rule: Rule) -> None:
    forget()
    session = object_session(rule)
    if session is not None:
        session.info[CACHE_KEY] = True


def _committed(session: Session) -> None:
    if session.info.pop(CACHE_KEY, False):
        forget()


for _name in ("after_insert", "after_update", "after_delete"):
    event.listen(Rule, _name, _written)
event.listen(Session, "after_commit", _committed)
