"""What lead routing does as leads and activities change (``entity_event``):

- a lead arrives: its response deadline is set before it is written, its response row made after,
  and rules marked "on arrival" may give it out at once (leads from a channel, not typed in);
- a lead enters "accepted": the rules run, then the fallback;
- a person changes a lead's owner: allowed to those who may assign (or taking an unowned lead for
  oneself), logged, a new or accepted lead moves to "assigned", the new owner is told;
- a person moves a lead out of new, accepted or assigned, or logs an activity on it: its first
  response.
"""

from __future__ import annotations

from typing import Any

from crmkit import db
from crmkit.core.access.policy import user_can
from crmkit.core.lead_routing import deadlines, engine
from crmkit.core.leads.models import Lead
from crmkit.db import utcnow
from crmkit.entities.errors import Invalid
from crmkit.i18n import gettext as _

ASSIGN = "lead_routing.assign"
LEAD = "lead"
ACTIVITY = "activity"


def may_give(user: Any, old_owner: int | None, new_owner: int | None) -> bool:
    if user is None or user_can(user, ASSIGN):
        return True
    return old_owner is None and new_owner == user.id


def on_lead(event: str, lead: Lead, changes: dict[str, Any], user: Any) -> None:
    if event == "before_create":
        if user is not None and lead.owner_id not in (None, user.id) and not user_can(user, ASSIGN):
            raise Invalid({"owner_id": [_("You may not assign leads to others.")]})
        deadlines.on_arrival(lead, engine.settings(db.session()).deadlines)
    elif event == "after_create":
        deadlines.track(lead)
        if user is None and lead.status in engine.UNASSIGNED_STATES:
            engine.route(lead, None, arrival=True)
    elif event == "before_update" and "owner_id" in changes:
        old, new = changes["owner_id"][:2]
        if not may_give(user, old, new):
            raise Invalid({"owner_id": [_("You may not assign leads to others.")]})
    elif event == "after_update" and "owner_id" in changes and user is not None:
        engine.given_by_hand(lead, user)
    elif event == "after_transition":
        moved(lead, changes, user)


def moved(lead: Lead, changes: dict[str, Any], user: Any) -> None:
    source, target = (changes.get("status") or [None, None])[:2]
    if user is not None and deadlines.moved_out_of_waiting(changes):
        deadlines.responded(lead, utcnow(), user, "status")
    if target == "accepted":
        engine.route(lead, user)
    elif target == "assigned" and lead.assigned_at is None:
        lead.assigned_at = utcnow()


def on_activity(event: str, activity: Any, user: Any) -> None:
    """An activity a person logs on a lead is a response to it; a task is one once done."""
    if event not in ("after_create", "after_update") or user is None or activity.about_entity != LEAD or not activity.about_id:
        return
    if activity.kind == "task" and activity.status != "done":
        return
    lead = db.session().get(Lead, activity.about_id)
    if lead is None or lead.first_response_at is not None:
        return
    how = "callback" if activity.kind == "call" and activity.direction == "outbound" else "activity"
    deadlines.responded(lead, activity.happened_at if activity.kind != "task" else None, user, how)
