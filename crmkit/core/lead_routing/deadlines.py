"""Response deadlines: a lead arriving through a channel is due an answer within that channel's
working minutes (the work calendar skips nights, weekends and holidays); the first thing a person
does about it (a status move out of new, accepted or assigned, an activity logged on it, a
callback) is its first response, stored with the wait in calendar and in working seconds.

The lead's own ``response_due_at`` and ``first_response_at`` are what pages and filters read;
``lead_routing_response`` keeps the same facts indexed for the overdue list and the reports.
``first_response_at`` is written with a plain UPDATE, so an editor's open form of the lead stays
current (a response is not an edit).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm.attributes import set_committed_value

from crmkit import db
from crmkit.core import worktime
from crmkit.core.lead_routing.models import Response
from crmkit.core.leads.models import Lead
from crmkit.db import utcnow

DEFAULTS: dict[str, int | None] = {"form": 30, "webhook": 30, "email": 120, "phone": 15, "manual": None, "*": 60}
OTHERS = "*"  # the key of the deadline of every channel not named
WAITING_STATES = ("new", "accepted", "assigned")  # moving out of these is a response
MAX_MINUTES = 60 * 24 * 30  # a month of working minutes at most


def aware(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def deadlines(stored: dict[str, Any] | None) -> dict[str, int | None]:
    """The deadline of each channel: the admins' where they set one, else the defaults."""
    return {**DEFAULTS, **(stored or {})}


def minutes_for(channel: str, stored: dict[str, Any] | None) -> int | None:
    table = deadlines(stored)
    return table[channel] if channel in table else table.get(OTHERS)


def on_arrival(lead: Lead, stored: dict[str, Any] | None) -> None:
    """Set the lead's deadline from its channel and received time, before it is written."""
    if lead.response_due_at is not None:
        return
    minutes = minutes_for(lead.channel, stored)
    if minutes is not None:
        lead.response_due_at = worktime.add_working_minutes(aware(lead.received_at), minutes)


def track(lead: Lead) -> None:
    """The lead's row in lead_routing_response, once the lead has its id."""
    db.session().add(Response(lead_id=lead.id, channel=lead.channel, received_at=aware(lead.received_at),
                              due_at=lead.response_due_at))


def responded(lead: Lead, at: datetime | None, user: Any, how: str) -> bool:
    """Record a person's first response to ``lead`` (``how``: status, activity or callback), at
    ``at`` (default now, never before the lead arrived nor in the future); False when it already
    had one."""
    if lead.first_response_at is not None:
        return False
    session = db.session()
    now = utcnow()
    received = aware(lead.received_at)
    at = min(max(aware(at or now), received), now)
    session.execute(update(Lead).where(Lead.id == lead.id, Lead.first_response_at.is_(None)).values(first_response_at=at))
    set_committed_value(lead, "first_response_at", at)
    row = session.get(Response, lead.id)
    if row is None:
        row = Response(lead_id=lead.id, channel=lead.channel, received_at=received, due_at=lead.response_due_at)
        session.add(row)
    row.responded_at, row.by_user_id, row.how = at, getattr(user, "id", None), how
    row.seconds = int((at - received).total_seconds())
    row.working_seconds = worktime.working_seconds_between(received, at)
    row.late = row.due_at is not None and at > aware(row.due_at)
    session.flush()
    return True


def moved_out_of_waiting(changes: dict[str, Any]) -> bool:
    source, target = (changes.get("status") or [None, None])[:2]
    return source in WAITING_STATES and target not in WAITING_STATES
