"""A workflow's state on the generic record pages: the form offers only the moves the workflow
allows (and says what each asks for), and the record's page shows the time spent in each state.
Every entity that declares a workflow gets both; the rules themselves live in
crmkit.entities.workflow and are enforced by Records on every path."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import format_timedelta
from marshmallow import ValidationError
from sqlmodel import Session

from crmkit.entities.declaration import EntityType
from crmkit.entities.workflow import key_of, record_values, time_in_states, time_per_state
from crmkit.i18n import gettext as _
from crmkit.types import Panel

UNITS = (("day", 86400), ("hour", 3600), ("minute", 60))


def offer_moves(entity: EntityType, db: Session, record: Any, values: dict[str, Any], fields: list) -> None:
    """Make the form's state field a select of the record's state and the states it may move to,
    with a note of the fields each of those asks for."""
    workflow = entity.workflow
    field = next((f for f in fields if f.name == workflow.field), None) if workflow else None
    if field is None:
        return
    stored = record_values(record) if record is not None else {}
    merged = {**stored, **typed(entity, values)}
    source = key_of(stored.get(workflow.field)) if record is not None else None
    labels = {state.key: str(state.label) for state in workflow.states_for(db, merged)}
    targets = workflow.targets(db, merged, source)
    kept = [(source, labels.get(source, source))] if source is not None else []  # saving as is never moves it
    if not kept and not targets:
        return
    field.input_type, field.required = "select", True
    field.choices = kept + [(state.key, str(state.label)) for state in targets]
    asks = [
        _("%(state)s asks for: %(fields)s.", state=str(state.label), fields=", ".join(str(entity.field_label(n)) for n in state.requires))
        for state in targets
        if state.requires
    ]
    field.help = " ".join(filter(None, [str(field.help) if field.help else "", *asks])) or None


def typed(entity: EntityType, values: dict[str, Any]) -> dict[str, Any]:
    """Form values as the schema loads them (a stage id typed back as a number), for the workflow's
    states function; values that don't load are left out."""
    declared = entity.schema._declared_fields
    given = {name: value for name, value in values.items() if name in declared and not declared[name].dump_only}
    try:
        return entity.schema().load(given, partial=True)
    except ValidationError as error:
        return error.valid_data or {}


def time_panel(entity: EntityType, db: Session, record: Any) -> Panel | None:
    """The record's total time in each state it has been in, in the workflow's order, and each stay."""
    if entity.workflow is None or record.id is None:
        return None
    stays = time_in_states(db, entity.key, record.id)
    if not stays:
        return None
    totals = time_per_state(stays)
    states = entity.workflow.states_for(db, record_values(record))
    order = [state.key for state in states if state.key in totals] + [key for key in totals if key not in {s.key for s in states}]
    labels = {state.key: str(state.label) for state in states}
    rows = [
        {"label": labels.get(key, key), "time": duration(totals[key]), "seconds": totals[key], "current": key == stays[-1].state}
        for key in order
    ]
    moves = [{"label": labels.get(stay.state, stay.state), "entered_at": stay.entered_at, "left_at": stay.left_at} for stay in stays]
    return Panel(_("Time in each state"), "records/time_in_states.html", {"rows": rows, "stays": moves}, order=50)


def duration(seconds: int) -> str:
    """The two largest units of a span, in the user's language: "3 days 4 hours"."""
    parts = []
    left = max(seconds, 0)
    for unit, size in UNITS:
        count, left = divmod(left, size)
        if count and len(parts) < 2:
            parts.append(format_timedelta(timedelta(seconds=count * size), granularity=unit, threshold=float("inf")))
        elif parts:
            break
    return " ".join(parts) or format_timedelta(timedelta(seconds=max(seconds, 0)), granularity="second", threshold=float("inf"))
