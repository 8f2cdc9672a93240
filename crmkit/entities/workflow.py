"""Records that move through states: a workflow declared on an entity type's state field.

An ``EntityType(workflow=Workflow(...))`` names the field that holds the state, the states (each
of a kind: open, won, lost or closed; each may require fields to be filled on entering it) and
which states may follow which. ``Records.create`` and ``Records.update`` check every move here,
so pages, the API, jobs and boards obey the same rules: a move the workflow forbids is refused
naming the states allowed, a missing required field is refused under that field, and a plugin
may refuse a move with a reason of its own (the ``workflow_transition_check`` hook). Each move
is stored as a ``Transition`` row (the first one when the record is created), so the time spent
in each state is one SQL query (``time_in_states``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import Integer, bindparam, func, select
from sqlmodel import Session

from crmkit.db import utcnow
from crmkit.entities.errors import Invalid
from crmkit.entities.transitions import Transition, close_stays, insert_row, seconds_between
from crmkit.i18n import gettext as _

KINDS = ("open", "won", "lost", "closed")


@dataclass(frozen=True)
class State:
    """One state of a workflow.

    :param key: what the state field holds, as text (a stage's id is given as ``str(stage.id)``).
    :param label: shown on forms, pages and in messages; a lazy gettext string.
    :param kind: ``open``, ``won``, ``lost`` or ``closed``.
    :param requires: fields that must be filled for a record to enter (and stay in) this state.
    :param archived: records already in it keep it, but none may move into it.
    """

    key: str
    label: Any
    kind: str = "open"
    requires: tuple[str, ...] = ()
    archived: bool = False

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"state {self.key!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")


StatesOf = Callable[[Session, Mapping[str, Any]], Sequence[State]]
TargetsOf = Callable[[Session, Mapping[str, Any], "str | None"], Sequence[str]]


@dataclass(frozen=True)
class Workflow:
    """The states a record's ``field`` moves through.

    :param field: the entity's field (a column and a schema field) holding the state's key.
    :param states: the states in their order, or a function ``(db, values) -> states`` given the
        record's values (a deal's stages depend on its pipeline).
    :param transitions: which states may follow which: ``{source key: [target keys]}``, where the
        key ``None`` (if present) lists the states a new record may start in; or a function
        ``(db, values, source key or None) -> target keys``; or None: any state may follow any.
    """

    field: str
    states: Sequence[State] | StatesOf
    transitions: Mapping[str | None, Sequence[str]] | TargetsOf | None = None

    def __post_init__(self):
        if callable(self.states):
            return
        keys = [state.key for state in self.states]
        if len(set(keys)) != len(keys):
            raise ValueError(f"workflow on {self.field!r}: two states share a key")
        if isinstance(self.transitions, Mapping):
            named = {key for key in self.transitions if key is not None}
            named |= {str(key) for targets in self.transitions.values() for key in targets}
            if unknown := sorted(named - set(keys)):
                raise ValueError(f"workflow on {self.field!r}: transitions name unknown states: {', '.join(unknown)}")

    def states_for(self, db: Session, values: Mapping[str, Any]) -> list[State]:
        """The states of a record with these values, in order."""
        return list(self.states(db, values) if callable(self.states) else self.states)

    def start_state(self, db: Session, values: Mapping[str, Any]) -> State | None:
        """Where a new record given no state starts: the first open state a new record may take
        (else the first it may take), so every path that creates records agrees."""
        states = self.targets(db, values, None)
        return next((state for state in states if state.kind == "open"), states[0] if states else None)

    def targets(self, db: Session, values: Mapping[str, Any], source: str | None) -> list[State]:
        """The states a record with ``values`` may move to from ``source`` (None: a new record).
        A record in a state the workflow no longer knows may move to any state."""
        states = self.states_for(db, values)
        live = [state for state in states if not state.archived and state.key != source]
        known = source is None or any(state.key == source for state in states)
        if self.transitions is None or not known:
            return live
        if callable(self.transitions):
            allowed = self.transitions(db, values, source)
        elif source is None and None not in self.transitions:
            return live
        else:
            allowed = self.transitions.get(source, ())
        allowed_keys = {str(key) for key in allowed}
        return [state for state in live if state.key in allowed_keys]


def fill_start(entity: Any, db: Session, values: dict[str, Any]) -> None:
    """Give a new record's ``values`` the workflow's start state when they name none, as a value
    of the state column's own type (a stage id stays an int)."""
    workflow: Workflow = entity.workflow
    if not is_empty(values.get(workflow.field)):
        return
    start = workflow.start_state(db, values)
    if start is not None:
        column = entity.model.__table__.c[workflow.field]
        values[workflow.field] = int(start.key) if isinstance(column.type, Integer) else start.key


def key_of(value: Any) -> str | None:
    """A state field's value as the state's key."""
    return None if value is None or value == "" else str(value)


def find(states: Sequence[State], key: str | None) -> State | None:
    return next((state for state in states if state.key == key), None)


class TransitionRefused(Invalid):
    """A move the workflow does not allow; ``allowed`` lists the states that are (key and label)."""

    def __init__(self, field: str, message: str, allowed: Sequence[State]):
        super().__init__({field: [message]})
        self.allowed = [{"key": state.key, "label": str(state.label)} for state in allowed]


class Move(NamedTuple):
    """A checked change of a record's state; ``source`` is None for a new record."""

    field: str
    source: str | None
    target: str

    @property
    def changes(self) -> dict[str, list[str | None]]:
        return {self.field: [self.source, self.target]}


def record_values(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__table__.c.keys()}


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_move(entity: Any, db: Session, user: Any, record: Any, values: Mapping[str, Any]) -> Move | None:
    """The move that saving ``values`` makes (``record`` None: a new record), once the workflow
    and every plugin allow it; None when the state stays. Raises ``Invalid`` when refused."""
    workflow: Workflow = entity.workflow
    name = workflow.field
    stored = {} if record is None else record_values(record)
    merged = {**stored, **values}
    source = None if record is None else key_of(stored.get(name))
    target_key = key_of(merged.get(name))
    if record is not None and target_key == source:
        state = find(workflow.states_for(db, merged), source)
        if state is None and find(workflow.states_for(db, stored), source) is not None:
            # the other values changed what the states are (a deal given another pipeline): its
            # state is none of them now, so it must move to one
            targets = workflow.targets(db, merged, source)
            allowed = ", ".join(str(target.label) for target in targets)
            raise TransitionRefused(name, _("Not a state this record can take. Allowed: %(allowed)s.", allowed=allowed),
                                    targets)
        if state is not None and set(state.requires) & set(values):
            require_fields(state, merged)
        return None
    targets = workflow.targets(db, merged, source)
    target = find(targets, target_key)
    if target is None:
        raise refusal(workflow, db, stored, merged, source, target_key, targets)
    require_fields(target, merged)
    source_state = find(workflow.states_for(db, stored), source) if record is not None else None
    pm = current_app.extensions["crmkit"].pm
    found = pm.hook.workflow_transition_check(
        entity=entity, record=record, source=source_state, target=target, values=dict(values), user=user
    )
    if reasons := [str(reason) for reason in found if reason]:
        raise Invalid({name: reasons})
    return Move(name, source, target.key)


def refusal(workflow: Workflow, db: Session, stored, merged, source, target_key, targets) -> TransitionRefused:
    """The message for a move to a state not among ``targets``, naming those that are."""
    allowed = ", ".join(str(state.label) for state in targets)
    label = {state.key: str(state.label) for state in workflow.states_for(db, merged)}
    if stored:
        label.update({state.key: str(state.label) for state in workflow.states_for(db, stored) if state.key not in label})
    if not targets and source is None:
        message = _("No state is open to this record.")
    elif not targets:
        message = _("No move is allowed from %(source)s.", source=label.get(source, source))
    elif target_key not in label or source is None:
        message = _("Not a state this record can take. Allowed: %(allowed)s.", allowed=allowed)
    else:
        message = _(
            "Cannot move from %(source)s to %(target)s. Allowed: %(allowed)s.",
            source=label.get(source, source),
            target=label[target_key],
            allowed=allowed,
        )
    return TransitionRefused(workflow.field, message, targets)


def require_fields(state: State, values: Mapping[str, Any]) -> None:
    missing = [name for name in state.requires if is_empty(values.get(name))]
    if missing:
        message = _("Required in the state %(state)s.", state=str(state.label))
        raise Invalid({name: [message] for name in missing})


def record_move(db: Session, entity_key: str, record_id: int, move: Move, user_id: int | None) -> None:
    """Store a move, ending the record's stay in its previous state; it commits with the record's
    change."""
    now = utcnow()
    if move.source is not None:
        close_stays(db, entity_key, [record_id], now)
    insert_row(db, Transition, entity=entity_key, record_id=record_id, field=move.field, from_state=move.source,
               to_state=move.target, user_id=user_id, at=now, left_at=None, seconds=None)


def allowed_targets(entity: Any, db: Session, record: Any) -> list[State]:
    """The states ``record`` may move to now (None: the states a new record may start in)."""
    values = {} if record is None else record_values(record)
    source = None if record is None else key_of(values.get(entity.workflow.field))
    return entity.workflow.targets(db, values, source)


class Stay(NamedTuple):
    """One stay of a record in a state: ``left_at`` None while it is still there."""

    state: str
    entered_at: datetime
    left_at: datetime | None
    seconds: int


def time_in_states(db: Session, entity_key: str, record_id: int, now: datetime | None = None) -> list[Stay]:
    """Each stay of a record in a state, oldest first, with its length in seconds (the current
    stay counted up to ``now``); one query over core_transition, whose index it walks."""
    table = Transition.__table__
    left_at = func.lead(table.c.at, type_=table.c.at.type).over(order_by=(table.c.at, table.c.id))
    stays = (
        select(table.c.id, table.c.to_state.label("state"), table.c.at.label("entered_at"), left_at.label("left_at"))
        .where(table.c.entity == entity_key, table.c.record_id == record_id)
        .subquery()
    )
    until = func.coalesce(stays.c.left_at, bindparam("now", now or utcnow(), type_=table.c.at.type))
    seconds = seconds_between(db.get_bind().dialect.name, stays.c.entered_at, until)
    statement = select(stays.c.state, stays.c.entered_at, stays.c.left_at, seconds).order_by(
        stays.c.entered_at, stays.c.id
    )
    return [Stay(*row) for row in db.execute(statement)]


def time_per_state(stays: Sequence[Stay]) -> dict[str, int]:
    """Seconds spent in each state over all its stays, in the order first entered."""
    totals: dict[str, int] = {}
    for stay in stays:
        totals[stay.state] = totals.get(stay.state, 0) + stay.seconds
    return totals
