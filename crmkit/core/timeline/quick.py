"""Quick entry on a timeline: log a call, add a note or schedule a task in a few fields.

The form's fields carry the activity schema's names, so the schema's own messages land under the
right field; only the duration is typed differently (minutes, seconds or ``m:ss``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from crmkit.core.activities.schemas import (
    DIRECTION_LABELS,
    OUTCOME_LABELS,
    PRIORITY_LABELS,
)
from crmkit.core.contacts import phones
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

KINDS = ("call", "note", "task")
TITLES = {"call": _l("Log call"), "note": _l("Add note"), "task": _l("Schedule task")}
DONE = {"call": _l("Call logged."), "note": _l("Note added."), "task": _l("Task scheduled.")}
# What each form sends, besides its kind; everything else in the request is ignored.
FIELDS = {
    "call": ("direction", "outcome", "duration", "duration_unit", "their_address", "happened_at", "subject", "body"),
    "note": ("body",),
    "task": ("subject", "happened_at", "priority", "reminder_at", "body"),
}
CHOICES = {"direction": DIRECTION_LABELS, "outcome": OUTCOME_LABELS, "priority": PRIORITY_LABELS}
UNITS = {"min": _l("min"), "s": _l("s")}
_CLOCK = re.compile(r"^(\d{1,4}):([0-5]\d)$")


@dataclass
class QuickForm:
    """One form's values as typed and its messages by field; ``open`` when it came back with errors."""

    kind: str
    values: dict[str, Any]
    errors: dict[str, list[str]] = field(default_factory=dict)
    open: bool = False

    @property
    def title(self) -> Any:
        return TITLES[self.kind]

    @property
    def general(self) -> list[str]:
        """Messages about no field of this form, shown above it."""
        return [message for name, found in self.errors.items() if name not in FIELDS[self.kind] for message in found]

    def choices(self, name: str) -> list[tuple[str, Any]]:
        return list(CHOICES[name].items()) if name in CHOICES else list(UNITS.items())


def blank_forms(record: Any) -> dict[str, QuickForm]:
    """The empty forms of a record's timeline; a call starts with the record's phone, if it has one."""
    phone = getattr(record, "phone", None)
    return {
        "call": QuickForm("call", {"direction": "outbound", "outcome": "answered", "duration_unit": "min",
                                   "their_address": phones.pretty(phone) if phone else ""}),
        "note": QuickForm("note", {}),
        "task": QuickForm("task", {"priority": "normal"}),
    }


def typed(kind: str, form: Any) -> dict[str, str]:
    return {name: form.get(name, "").strip() for name in FIELDS[kind]}


def activity_data(kind: str, typed_values: dict[str, str], about_entity: str, about_id: int) -> tuple[dict, dict]:
    """The activity to create from a form's values, and the problems the schema can't see."""
    data: dict[str, Any] = {"kind": kind, "about_entity": about_entity, "about_id": about_id}
    errors: dict[str, list[str]] = {}
    for name, value in typed_values.items():
        if name not in ("duration", "duration_unit", "their_address"):
            data[name] = value or None
    data["subject"] = data.get("subject") or ""  # the schema names an untitled one after its kind
    if kind in ("call", "note") and not data.get("happened_at"):
        data["happened_at"] = utcnow().isoformat()  # logged as it happens
    if kind == "note" and not data.get("body"):
        errors["body"] = [_("Write the note.")]
    if kind == "task" and not data.get("subject"):
        errors["subject"] = [_("Say what needs doing.")]
    if kind == "call":
        try:
            data["duration_seconds"] = seconds(typed_values["duration"], typed_values["duration_unit"])
        except ValueError:
            errors["duration"] = [_("Enter minutes, seconds or minutes:seconds, such as 2:30.")]
        try:
            raw = typed_values["their_address"]
            data["their_address"] = phones.normalize(raw) if raw else None
        except ValueError as error:
            errors["their_address"] = [str(error)]
    return data, errors


def seconds(text: str, unit: str) -> int | None:
    """``5`` minutes, ``90`` seconds, or ``2:30``; None when empty; ValueError otherwise."""
    if not text:
        return None
    clock = _CLOCK.match(text)
    if clock:
        return int(clock.group(1)) * 60 + int(clock.group(2))
    number = float(text.replace(",", "."))
    if not math.isfinite(number) or not 0 <= number <= 10**7:
        raise ValueError(text)
    return round(number * (1 if unit == "s" else 60))


def form_errors(messages: dict[str, Any]) -> dict[str, list[str]]:
    """The schema's messages under the form's field names (the duration is typed in its own way)."""
    errors: dict[str, list[str]] = {}
    for name, found in messages.items():
        key = "duration" if name == "duration_seconds" else name
        errors.setdefault(key, []).extend(found if isinstance(found, list) else [str(found)])
    return errors
