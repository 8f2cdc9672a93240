"""Moving leads through their workflow on behalf of triage, conversion and quality control.

A user's action goes through the records service (permissions, visibility, validation, history,
the workflow's rules and ``entity_event``) on the request's session with ``commit`` turned into
``flush`` (``OneTransaction``), so an action of several steps (reject, then send to quality
control; assign, then convert) is saved whole or not at all: the caller commits once.

The quality-control job acts as nobody, as ``receive()`` does for a new lead: ``system_move``
checks the workflow allows the move, then writes the change, its history entry (no user), the
transition and the events the records service would.
"""

from __future__ import annotations

from typing import Any

from flask import current_app

from crmkit import db as database
from crmkit.core.duplicates.merging import OneTransaction
from crmkit.db import utcnow
from crmkit.entities import workflow
from crmkit.entities.errors import Invalid
from crmkit.entities.history import Change, diff
from crmkit.entities.service import Records
from crmkit.entities.transitions import new_row

LEAD = "lead"


def entity(key: str = LEAD) -> Any:
    return current_app.extensions["crmkit"].entities.get(key)


def records(key: str, user: Any, session: Any = None) -> Records:
    """Records of ``key`` for ``user`` whose writes only flush: the caller commits once."""
    return Records(entity(key), user, OneTransaction(session or database.session()))


def may_move(lead: Any, target: str) -> bool:
    """Whether the lead's workflow lets it move to ``target`` from where it is."""
    return any(state.key == target for state in workflow.allowed_targets(entity(), database.session(), lead))


def system_move(lead: Any, target: str, **values: Any) -> bool:
    """Move ``lead`` to ``target`` with ``values`` as no user (the quality-control job), if the
    workflow allows it; False when it doesn't. Flushes; the caller commits."""
    session = database.session()
    lead_entity = entity()
    if not may_move(lead, target):
        return False
    state = workflow.find(lead_entity.workflow.states_for(session, {}), target)
    merged = {**workflow.record_values(lead), **values, "status": target}
    missing = [name for name in state.requires if workflow.is_empty(merged.get(name))]
    if missing:
        raise Invalid({name: ["required"] for name in missing})
    move = workflow.Move("status", lead.status, target)
    changes = diff({name: getattr(lead, name) for name in ("status", *values)}, {"status": target, **values})
    for name, value in {"status": target, **values}.items():
        setattr(lead, name, value)
    lead.updated_at = utcnow()
    emit("before_update", lead, changes)
    session.add(new_row(Change, entity=LEAD, record_id=lead.id, action="update", user_id=None, changes=changes, at=utcnow()))
    workflow.record_move(session, LEAD, lead.id, move, None)
    session.flush()
    emit("after_transition", lead, move.changes)
    emit("after_update", lead, changes)
    return True


def emit(event: str, lead: Any, changes: dict[str, Any], user: Any = None) -> None:
    pm = current_app.extensions["crmkit"].pm
    pm.hook.entity_event(event=event, entity=entity(), record=lead, changes=changes, user=user)
