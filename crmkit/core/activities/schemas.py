"""What may be set on an activity; which fields matter depends on its kind."""

from __future__ import annotations

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from crmkit.core.activities.models import (
    DIRECTIONS,
    KINDS,
    OUTCOMES,
    PRIORITIES,
    STATUSES,
)
from crmkit.core.activities.counterpart import Counterpart
from crmkit.core.contacts.phones import pretty
from crmkit.db import utcnow
from crmkit.entities.fields import LocalDateTime, local_form_value
from crmkit.i18n import lazy_gettext as _l

KIND_LABELS = {"call": _l("Call"), "email": _l("Email"), "meeting": _l("Meeting"), "task": _l("Task"), "note": _l("Note")}
DIRECTION_LABELS = {"inbound": _l("Inbound"), "outbound": _l("Outbound")}
OUTCOME_LABELS = {"answered": _l("Answered"), "missed": _l("Missed"), "busy": _l("Busy"), "no_answer": _l("No answer")}
PRIORITY_LABELS = {"low": _l("Low"), "normal": _l("Normal"), "high": _l("High")}
STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}


# Which kinds a field belongs to: forms show it for those kinds only (crmkit.entities.forms).
CALL = {"when": ("kind", ("call",))}
CALL_OR_EMAIL = {"when": ("kind", ("call", "email"))}
MEETING = {"when": ("kind", ("meeting",))}
TASK = {"when": ("kind", ("task",))}
TASK_OR_MEETING = {"when": ("kind", ("task", "meeting"))}


def choice(label, choices, labels, metadata_extra=None, **options):
    metadata = {"label": label, "choices_labels": labels, **(metadata_extra or {})}
    return fields.String(validate=validate.OneOf(choices), metadata=metadata, **options)


def current_user_id() -> int | None:
    """A new activity is the current user's until they choose someone else."""
    from flask_login import current_user

    return current_user.id if current_user and current_user.is_authenticated else None


def shown_address(value: str) -> str:
    """A call's number as people write it (+7 701 123 45 67); an email address as it is."""
    return pretty(value).replace(" ", "\u00a0") if value.startswith("+") else value


def now_typed() -> str:
    """A new activity's time: now, as the user's datetime-local input shows it."""
    return local_form_value(utcnow())


class ActivitySchema(Schema):
    # check_kind's first rule, for the OpenAPI document (crmkit.core.api.openapi reads ``openapi``)
    openapi = {"allOf": [{"anyOf": [
        {"properties": {"kind": {"enum": [k for k in KINDS if k not in ("meeting", "task")]}}},
        {"required": ["happened_at"], "properties": {"happened_at": {"type": "string"}}},
    ], "description": "A meeting or a task needs happened_at; the end is not before the start."}]}
    kind = choice(_l("Kind"), KINDS, KIND_LABELS, required=True, metadata_extra={"form_default": lambda: "call"})
    subject = fields.String(validate=validate.Length(max=200), load_default="", metadata={"label": _l("Subject")})
    happened_at = LocalDateTime(
        allow_none=True, metadata={"label": _l("When"), "help": _l("For a task, when it is due."), "form_default": now_typed}
    )
    about_entity = fields.String(allow_none=True, validate=validate.Length(max=100), metadata={"label": _l("About"), "not_about": ("activity",)})
    about_id = fields.Integer(
        allow_none=True, strict=False, metadata={"label": _l("Record"), "link_entity_field": "about_entity"}
    )  # with about_entity, a link to a record of any entity, checked as every link is (crmkit.entities.linking)
    # whom the call, meeting or task is for: any active user, as every user field (link "user")
    owner_id = fields.Integer(allow_none=True, strict=False,
                              metadata={"label": _l("Owner"), "link": "user", "form_default": current_user_id})
    body = fields.String(allow_none=True, validate=validate.Length(max=100000), metadata={"label": _l("Text"), "multiline": True})
    direction = choice(_l("Direction"), DIRECTIONS, DIRECTION_LABELS, allow_none=True, metadata_extra=CALL_OR_EMAIL)
    their_address = fields.String(allow_none=True, validate=validate.Length(max=254),
                                  metadata={"label": _l("Their number or address"), "display": shown_address, **CALL_OR_EMAIL})
    our_address = fields.String(allow_none=True, validate=validate.Length(max=254),
                                metadata={"label": _l("Our number or address"), "display": shown_address, **CALL_OR_EMAIL})
    duration_seconds = fields.Integer(allow_none=True, strict=False, validate=validate.Range(min=0), metadata={"label": _l("Duration, seconds"), **CALL})
    outcome = choice(_l("Outcome"), OUTCOMES, OUTCOME_LABELS, allow_none=True, metadata_extra=CALL)
    recording_url = fields.Url(allow_none=True, validate=validate.Length(max=1000), metadata={"label": _l("Recording"), **CALL})
    ends_at = LocalDateTime(allow_none=True, metadata={"label": _l("Ends"), **MEETING})
    place = fields.String(allow_none=True, validate=validate.Length(max=300), metadata={"label": _l("Place"), **MEETING})
    participants = fields.String(allow_none=True, validate=validate.Length(max=5000), metadata={"label": _l("Participants"), "multiline": True, **MEETING})
    priority = choice(_l("Priority"), PRIORITIES, PRIORITY_LABELS, allow_none=True,
                      metadata_extra={**TASK, "form_default": lambda: "normal"})
    status = choice(_l("Status"), STATUSES, STATUS_LABELS, allow_none=True, metadata_extra={**TASK, "form_default": lambda: "open"})
    reminder_at = LocalDateTime(allow_none=True, metadata={"label": _l("Remind at"), **TASK_OR_MEETING})

    computed_columns = {"counterpart": Counterpart()}  # the list's "With" column (counterpart.py)

    @validates_schema
    def check_kind(self, data, partial=None, **_kwargs):
        kind = data.get("kind")
        if kind in ("meeting", "task") and not data.get("happened_at") and not partial:
            raise ValidationError(_l("A meeting or a task needs a date and time."), "happened_at")
        if data.get("ends_at") and data.get("happened_at") and data["ends_at"] < data["happened_at"]:
            raise ValidationError(_l("The end is before the start."), "ends_at")

    @post_load
    def fill_defaults(self, values, partial=None, **_kwargs):
        """A task starts open with normal priority; an empty subject takes the kind's name."""
        kind = values.get("kind")
        if kind == "task":
            values.setdefault("status", "open")
            values["status"] = values["status"] or "open"
            values["priority"] = values.get("priority") or "normal"
        if kind and not values.get("subject") and not partial:
            values["subject"] = str(KIND_LABELS[kind])
        return values
