"""The built-in triggers: three fired by a record's events, three checked on a schedule.

A time trigger answers which records entered its window since the last check, with one range
query on the field it waits on (``due``), so a check never reads a whole table: a record is
picked up once, when its date passes the mark, not on every run after.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, func, or_, select

from crmkit.core.automation import declared
from crmkit.core.automation.catalog import Param, Trigger
from crmkit.i18n import lazy_gettext as _l

BATCH = 500  # record ids a time trigger reads at once

CREATED, FIELD_CHANGED, STATE_ENTERED = "record_created", "field_changed", "state_entered"
DATE_REACHED, IDLE, TASK_OVERDUE = "date_reached", "idle", "task_overdue"
EVENTS = {"after_create": CREATED, "after_update": FIELD_CHANGED, "after_transition": STATE_ENTERED}


def _same(entity: Any, name: str, expected: Any, actual: Any) -> bool:
    info = declared.fields_of(entity).get(name)
    if info is None:
        return False
    try:
        return declared.typed(info, expected) == declared.typed(info, actual)
    except declared.BadValue:
        return str(expected) == str(actual)


def field_changed(entity: Any, params: dict, changes: dict) -> bool:
    name = params.get("field")
    if name not in changes:
        return False
    old, new = changes[name]
    if params.get("from") not in (None, "") and not _same(entity, name, params["from"], old):
        return False
    return params.get("to") in (None, "") or _same(entity, name, params["to"], new)


def state_entered(entity: Any, params: dict, changes: dict) -> bool:
    field = entity.workflow.field if entity.workflow is not None else None
    if field not in changes:
        return False
    return str(changes[field][1]) == str(params.get("state"))


def matches(trigger_key: str, entity: Any, params: dict, changes: dict) -> bool:
    """Whether an event's ``changes`` start a rule with this built-in event trigger."""
    if trigger_key == CREATED:
        return True
    if trigger_key == FIELD_CHANGED:
        return field_changed(entity, params, changes)
    if trigger_key == STATE_ENTERED:
        return state_entered(entity, params, changes)
    return False


# time triggers
def _bound(entity: Any, name: str, moment: datetime) -> Any:
    """``moment`` as the column compares: a date (in the deployment's zone) for a date field."""
    if declared.fields_of(entity)[name].kind == "date":
        zone = ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE") or "UTC")
        return moment.astimezone(zone).date()
    return moment


def _window(db: Any, entity: Any, column: Any, lower: Any, upper: Any) -> Iterator[list[int]]:
    """Ids of live records whose ``column`` is in (lower, upper], in batches, by keyset on (column, id)."""
    model = entity.model
    last: tuple[Any, int] | None = None
    while True:
        statement = select(column, model.id).where(column > lower, column <= upper, model.archived_at.is_(None))
        if last is not None:
            statement = statement.where(or_(column > last[0], and_(column == last[0], model.id > last[1])))
        rows = db.execute(statement.order_by(column, model.id).limit(BATCH)).all()
        if not rows:
            return
        yield [row[1] for row in rows]
        last = (rows[-1][0], rows[-1][1])
        if len(rows) < BATCH:
            return


def due(db: Any, entity: Any, trigger_key: str, params: dict, since: datetime, now: datetime) -> Iterator[list[int]]:
    """Batches of ids of the records a time trigger fires on for the window (since, now]."""
    days = timedelta(days=int(params.get("days") or 0))
    if trigger_key == DATE_REACHED:  # field + days passed in the window
        name = params["field"]
        column = getattr(entity.model, name)
        yield from _window(db, entity, column, _bound(entity, name, since - days), _bound(entity, name, now - days))
    elif trigger_key == IDLE:  # nothing changed for `days`: the field fell `days` behind in the window
        name = params.get("field") or "updated_at"
        column = getattr(entity.model, name)
        yield from _window(db, entity, column, _bound(entity, name, since - days), _bound(entity, name, now - days))
    elif trigger_key == TASK_OVERDUE:
        yield from _overdue(db, entity, since - days, now - days)


def _overdue(db: Any, entity: Any, lower: datetime, upper: datetime) -> Iterator[list[int]]:
    """Records with an open task whose due time passed in the window (the task itself for activities)."""
    from crmkit.core.activities.models import Activity

    statement = select(Activity.id, Activity.about_id).where(
        Activity.kind == "task", Activity.status == "open", Activity.archived_at.is_(None),
        Activity.happened_at > lower, Activity.happened_at <= upper,
    )
    if entity.key != "activity":
        statement = statement.where(Activity.about_entity == entity.key, Activity.about_id.is_not(None))
    last_id = 0
    newest = db.execute(select(func.max(Activity.id))).scalar() or 0  # tasks the rules make meanwhile wait
    statement = statement.where(Activity.id <= newest)
    while True:
        rows = db.execute(statement.where(Activity.id > last_id).order_by(Activity.id).limit(BATCH)).all()
        if not rows:
            return
        yield list(dict.fromkeys(row[0] if entity.key == "activity" else row[1] for row in rows))
        last_id = rows[-1][0]


def _has_workflow(entity: Any) -> bool:
    return entity.workflow is not None


def _has_dates(entity: Any) -> bool:
    return bool(declared.date_fields(entity))


BUILTIN = (
    Trigger(CREATED, _l("A record is created")),
    Trigger(FIELD_CHANGED, _l("A field changes"), (
        Param("field", _l("Field"), "field"),
        Param("from", _l("From (any when empty)"), "value", required=False, of="field"),
        Param("to", _l("To (any when empty)"), "value", required=False, of="field"),
    )),
    Trigger(STATE_ENTERED, _l("A record enters a state"), (Param("state", _l("State"), "state"),), applies=_has_workflow),
    Trigger(DATE_REACHED, _l("A date is reached or passed"), (
        Param("field", _l("Date field"), "date_field"),
        Param("days", _l("Days after it"), "int", required=False, default=0),
    ), applies=_has_dates, timed=True),
    Trigger(IDLE, _l("Nothing changes for some days"), (
        Param("days", _l("Days"), "int"),
        Param("field", _l("Counted from (default: last change)"), "date_field", required=False, default="updated_at"),
    ), timed=True),
    Trigger(TASK_OVERDUE, _l("A task is overdue"), (
        Param("days", _l("Days overdue"), "int", required=False, default=0),
    ), timed=True),
)
