"""Timeline entries made from activities and history rows, in the reader's language and zone."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import url_for

from crmkit.core.activities.schemas import (
    DIRECTION_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
)
from crmkit.core.contacts.phones import pretty
from crmkit.core.timeline.entries import TimelineEntry
from crmkit.entities import history
from crmkit.entities.history import Change
from crmkit.i18n import datetime_filter
from crmkit.i18n import gettext as _
from crmkit.types import Action

ACTIVITY = "activity"
CHANGE = "change"
SUMMARY_LENGTH = 500
VALUE_LENGTH = 120
ICONS = {"call": "☎", "email": "✉", "meeting": "◷", "task": "☐", "note": "✎", CHANGE: "✱"}


def activity_entry(activity: Any, names: dict[int, str], can_edit: bool) -> TimelineEntry:
    kind = activity.kind
    at = activity.happened_at or activity.created_at
    return TimelineEntry(
        at=at,
        kind=kind,
        title=activity.subject or KIND_LABELS.get(kind, kind),
        source=ACTIVITY,
        source_id=activity.id,
        summary=shorten(activity.body, SUMMARY_LENGTH),
        url=url_for("records.activity_detail", record_id=activity.id),
        label=KIND_LABELS.get(kind, kind),
        actor=names.get(activity.owner_id),
        icon=ICONS.get(kind),
        details=tuple((label, value) for label, value in activity_details(activity) if value not in (None, "")),
        actions=task_actions(activity) if can_edit else (),
        item=activity,
    )


def activity_details(activity: Any) -> list[tuple[Any, Any]]:
    """What matters for each kind: a call's direction and outcome, a task's status, a meeting's place."""
    kind = activity.kind
    if kind == "call":
        return [
            (_("Direction"), label(DIRECTION_LABELS, activity.direction)),
            (_("Outcome"), label(OUTCOME_LABELS, activity.outcome)),
            (_("Duration"), duration(activity.duration_seconds)),
            (_("Phone number"), pretty(activity.their_address) if activity.their_address else None),
        ]
    if kind == "email":
        return [
            (_("Direction"), label(DIRECTION_LABELS, activity.direction)),
            (_("Address"), activity.their_address),
        ]
    if kind == "meeting":
        return [(_("Ends"), moment(activity.ends_at)), (_("Place"), activity.place)]
    if kind == "task":
        return [
            (_("Due"), moment(activity.happened_at)),
            (_("Status"), label(STATUS_LABELS, activity.status)),
            (_("Priority"), label(PRIORITY_LABELS, activity.priority)),
            (_("Remind at"), moment(activity.reminder_at)),
        ]
    return []


def task_actions(activity: Any) -> tuple[Action, ...]:
    """An open task gets a "Done" button; the version it carries makes a stale click a conflict."""
    if activity.kind != "task" or activity.status != "open":
        return ()
    href = url_for("timeline.done", activity_id=activity.id, version=activity.version)
    return (Action(_("Done"), href, method="post"),)


ACTION_TITLES = {
    "create": lambda: _("Created"),
    "update": lambda: _("Changed"),
    "archive": lambda: _("Archived"),
    "restore": lambda: _("Restored"),
    "conflict": lambda: _("Edit rejected: someone saved first"),
    "merge": lambda: _("Merged"),
    "unmerge": lambda: _("Merge undone"),
}


def change_entry(change: Change, names: dict[int, str], label_of, linked: dict[str, dict[int, str]] | None = None,
                 entity: Any = None) -> TimelineEntry:
    """A history row: who changed which fields, from what to what; ``linked``: the titles of the
    records link fields pointed at (sources.link_titles); other values as the record's history
    shows them (``history.shown_value``: choices by label, times in the user's zone), mappings
    (the phones as typed) left out."""
    title = ACTION_TITLES.get(change.action)
    details = []
    changes = change.changes or {}
    if change.action in ("merge", "unmerge"):  # bookkeeping of the merge; its field changes are what people read
        changes = changes.get("fields") or {}
    for name, values in changes.items():
        old, new = (values + [None, None])[:2] if isinstance(values, list) else (None, values)
        if isinstance(old, dict) or isinstance(new, dict):
            continue
        if titles := (linked or {}).get(name):
            old, new = titles.get(old, old), titles.get(new, new)
        elif entity is not None:
            old, new = history.shown_value(entity, name, old), history.shown_value(entity, name, new)
        if change.action == "create":
            if new not in (None, "", False, [], {}):
                details.append((label_of(name), shown(new)))
        else:
            details.append((label_of(name), f"{shown(old)} → {shown(new)}"))
    return TimelineEntry(
        at=change.at,
        kind=CHANGE,
        title=title() if title else change.action,
        source=CHANGE,
        source_id=change.id,
        label=_("Change"),
        actor=names.get(change.user_id),
        icon=ICONS[CHANGE],
        details=tuple(details),
        item=change,
    )


def label(labels: dict[str, Any], value: str | None) -> Any:
    return labels.get(value, value) if value else None


def moment(value: datetime | None) -> str | None:
    return datetime_filter(value, "short") if value else None


def duration(seconds: int | None) -> str | None:
    """``1:05`` for 65 seconds, ``1:02:03`` past an hour: the same in every language."""
    if seconds is None:
        return None
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if isinstance(value, dict):
        return shorten(", ".join(f"{key}: {shown(inner)}" for key, inner in value.items()), VALUE_LENGTH)
    if isinstance(value, list):
        return shorten(", ".join(shown(inner) for inner in value), VALUE_LENGTH)
    return shorten(str(value), VALUE_LENGTH)


def shorten(text: str | None, length: int) -> str | None:
    if not text or len(text) <= length:
        return text
    return text[: length - 1].rstrip() + "…"
