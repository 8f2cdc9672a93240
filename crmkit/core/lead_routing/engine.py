"""Giving leads to agents: the rules in the admins' order, the fallback, and by hand.

Everything runs in the transaction of the change that caused it (the accepting user's, or a
channel's ``receive`` that commits after) and never commits itself. A lead given out moves from
new or accepted to "assigned" through the workflow (its checks, the transition table, history and
``after_transition`` all see it); the assigned agent is mailed once the transaction commits.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db, jobs
from crmkit.core.auth.models import User
from crmkit.core.lead_routing import conditions, strategies
from crmkit.core.lead_routing.models import SETTINGS_ID, Assignment, RoutingSettings, Rule
from crmkit.db import utcnow
from crmkit.entities import workflow
from crmkit.entities.errors import Invalid
from crmkit.entities.history import Change
from crmkit.entities.transitions import new_row

LEAD = "lead"
UNASSIGNED_STATES = ("new", "accepted")  # a lead given out from these moves to "assigned"
TELL_JOB = "core.lead_routing.tell_agent"
log = logging.getLogger("crmkit.lead_routing")


def settings(session: Any) -> RoutingSettings:
    """The stored settings, or the defaults (not saved) until an admin saves them."""
    found = session.get(RoutingSettings, SETTINGS_ID)
    return found if found is not None else RoutingSettings(id=SETTINGS_ID, deadlines={})


def active_rules(session: Any, arrival: bool) -> list[Rule]:
    """The active rules in order; on arrival only those marked so. Admins keep tens, not thousands."""
    statement = select(Rule).where(Rule.active.is_(True))
    if arrival:
        statement = statement.where(Rule.on_arrival.is_(True))
    return list(session.execute(statement.order_by(Rule.position, Rule.id)).scalars())


def route(lead: Any, by_user: Any, arrival: bool = False) -> int | None:
    """Give ``lead`` by the first rule that matches and finds someone, else (not on arrival) to the
    fallback user; the user it went to, or None when it stays where it is."""
    session = db.session()
    known = conditions.available()
    now = utcnow()
    for rule in active_rules(session, arrival):
        if not conditions.holds(rule.conditions, lead, known):
            continue
        user_id = strategies.choose(session, rule, now)
        if user_id is not None and give(lead, user_id, "rule", by_user, rule.id):
            return user_id
    if arrival:
        return None
    fallback = settings(session).fallback_user_id
    user = session.get(User, fallback) if fallback else None
    if user is not None and user.is_active and give(lead, user.id, "fallback", by_user):
        return user.id
    return None


def give(lead: Any, user_id: int, how: str, by_user: Any, rule_id: int | None = None) -> bool:
    """Make ``user_id`` the lead's owner (when not already), move it to "assigned" when it is new or
    accepted, log how, and queue the mail to the agent. False when the workflow or a plugin refuses
    the move (the lead is left as it was)."""
    session = db.session()
    entity = current_app.extensions["crmkit"].entities.get(LEAD)
    by_id = getattr(by_user, "id", None)
    move = None
    if lead.status in UNASSIGNED_STATES:
        try:
            move = workflow.check_move(entity, session, by_user, lead, {"status": "assigned", "owner_id": user_id})
        except Invalid as refused:
            log.warning("lead %s not assigned to user %s: %s", lead.id, user_id, refused.fields)
            return False
    now = utcnow()
    changes: dict[str, list[Any]] = {}
    if lead.owner_id != user_id:
        changes["owner_id"] = [lead.owner_id, user_id]
        lead.owner_id = user_id
    if move is not None:
        changes["status"] = [lead.status, move.target]
        lead.status = move.target
        lead.last_action_at = now
    lead.assigned_at = now
    lead.updated_at = now
    if changes:
        session.add(new_row(Change, entity=LEAD, record_id=lead.id, action="update", user_id=by_id, changes=changes, at=now))
    session.add(Assignment(lead_id=lead.id, user_id=user_id, rule_id=rule_id, how=how, by_user_id=by_id, at=now))
    session.flush()  # the lead's earlier transition is written before its stay is ended
    if move is not None:
        workflow.record_move(session, LEAD, lead.id, move, by_id)
        current_app.extensions["crmkit"].pm.hook.entity_event(event="after_transition", entity=entity, record=lead,
                                                               changes=move.changes, user=by_user)
    if by_id != user_id:
        jobs.enqueue_after_commit(session, TELL_JOB, lead.id, user_id, user=None)
    return True


def given_by_hand(lead: Any, by_user: Any) -> None:
    """A person set the lead's owner (its form, the list's bulk action, the API): log it, move a
    new or accepted lead to "assigned" and tell the new owner."""
    if lead.owner_id is not None:
        give(lead, lead.owner_id, "manual", by_user)
