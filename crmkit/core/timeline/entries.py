"""What a timeline is made of: entries from any source, and the cursor that pages through them.

Entries are ordered newest first by ``(at, source, source_id)``; the cursor is the position of the
last entry shown, so the next page starts right after it however the sources interleave.
Plugins build ``TimelineEntry`` values in their ``timeline_entries`` hook and filter with the
``Cursor`` they are given (``before``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, or_

CURSOR_FORMAT = "%Y%m%dT%H%M%S.%fZ"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a record's timeline.

    :param at: when it happened (an aware datetime; a naive one counts as UTC).
    :param kind: what it is: ``call``, ``email``, ``meeting``, ``task``, ``note``, ``change`` or a
        plugin's own (``deals.stage``); pages give it a CSS class ``tl-<kind>``.
    :param title: the line's heading.
    :param source: who made it, with ``source_id`` its id there: the pair orders entries of one
        moment and must be unique within the timeline (use your plugin's name).
    :param summary: text under the title, shown with its line breaks.
    :param url: where the title links to.
    :param label: the kind as people read it ("Call"), shown as a badge.
    :param actor: who did it, as a name.
    :param icon: a short symbol shown before the badge.
    :param details: ``(label, value)`` pairs shown under the title.
    :param actions: ``crmkit.Action`` buttons; a POST one sends a CSRF token and ``next``.
    """

    at: datetime
    kind: str
    title: Any
    source: str
    source_id: int
    summary: Any = None
    url: str | None = None
    label: Any = None
    actor: Any = None
    icon: str | None = None
    details: tuple[tuple[Any, Any], ...] = ()
    actions: tuple[Any, ...] = ()
    item: Any = field(default=None, compare=False, repr=False)  # the row behind it, for templates

    @property
    def position(self) -> tuple[datetime, str, int]:
        return (aware(self.at), self.source, self.source_id)


def aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Cursor:
    """The position of the last entry shown; the next page holds what comes strictly after it."""

    at: datetime
    source: str
    source_id: int

    @classmethod
    def after(cls, entry: TimelineEntry) -> Cursor:
        return cls(*entry.position)

    def admits(self, entry: TimelineEntry) -> bool:
        """Whether ``entry`` is older than the cursor, i.e. belongs on a later page."""
        return entry.position < (aware(self.at), self.source, self.source_id)

    def condition(self, at_column: Any, id_column: Any, source: str):
        """The SQL condition "older than the cursor" for rows of ``source`` with these columns."""
        at = aware(self.at)
        if source == self.source:
            return or_(at_column < at, and_(at_column == at, id_column < self.source_id))
        if source < self.source:  # at the same moment, this source's entries come after the cursor's
            return at_column <= at
        return at_column < at

    def encode(self) -> str:
        return f"{aware(self.at).strftime(CURSOR_FORMAT)}~{self.source}~{self.source_id}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """Read a cursor from a URL; ValueError when it isn't one."""
        moment, source, number = text.split("~")
        if not source or not number.isdigit():
            raise ValueError(text)
        return cls(datetime.strptime(moment, CURSOR_FORMAT).replace(tzinfo=UTC), source, int(number))
