"""A small table that every record change consults (the active webhooks, the enabled automation
rules), kept per process for a configured number of seconds: a SELECT per change would slow every
save down.

A write of the table's model in this process (an admin page, a CLI command, any ORM write) is
seen at once: the flush and the commit both drop every app's copy, so a list read in between
(without the change, not yet committed) does not outlive it. A write by another process is seen
once the seconds run out; the setting at 0 asks the database every time. Callers read the rows
themselves before acting on them, so one switched off elsewhere is never acted on.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

T = TypeVar("T")


@dataclass(frozen=True)
class _Cached(Generic[T]):
    items: tuple[T, ...]
    generation: int
    until: float


class ListenerCache(Generic[T]):
    """``load(session)`` read at most once per ``seconds_setting`` seconds per app, kept in the
    app's extensions under ``key``; any ORM write of ``model`` in this process forgets it."""

    def __init__(self, model: type, key: str, seconds_setting: str, load: Callable[[Session], tuple[T, ...]]):
        self.key, self.seconds_setting, self.load = key, seconds_setting, load
        self.generation = 0  # bumped by every write of the model in this process
        self._lock = threading.Lock()
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(model, name, self._written)
        event.listen(Session, "after_commit", self._committed)

    def active(self, db: Session) -> tuple[T, ...]:
        """The loaded rows, from this app's copy while it is fresh."""
        seconds = float(current_app.config.get(self.seconds_setting, 0) or 0)
        cached: _Cached[T] | None = current_app.extensions.get(self.key)
        now = time.monotonic()
        if cached is not None and cached.generation == self.generation and now < cached.until:
            return cached.items
        generation = self.generation
        items = tuple(self.load(db))
        if seconds > 0:
            current_app.extensions[self.key] = _Cached(items, generation, now + seconds)
        return items

    def forget(self) -> None:
        """Drop every app's copy in this process."""
        with self._lock:
            self.generation += 1

    def _written(self, _mapper: Any, _connection: Any, row: Any) -> None:
        self.forget()
        session = object_session(row)
        if session is not None:
            session.info[self.key] = True

    def _committed(self, session: Session) -> None:
        if session.info.pop(self.key, False):
            self.forget()
