"""Overdue leads: past their response deadline with nobody having answered yet, as the user sees
them (their own, their department's or all, by their role). Read from lead_routing_response on
its (responded_at, due_at) index, so the work is the overdue leads', whatever the size of the
table; counts stop at COUNT_CAP like the lists', pages go by keyset on (due_at, lead id)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select

from crmkit import db
from crmkit.core.lead_routing.models import Response
from crmkit.core.leads.models import Lead
from crmkit.db import utcnow
from crmkit.entities.errors import Forbidden
from crmkit.entities.listing import COUNT_CAP
from crmkit.entities.service import Records

PAGE = 50
LEAD = "lead"


def lead_records(user: Any) -> Records | None:
    """The user's records service of leads, or None when they may not see leads."""
    from flask import current_app

    entities = current_app.extensions["crmkit"].entities
    if user is None or not getattr(user, "is_authenticated", False) or LEAD not in entities:
        return None
    records = Records(entities.get(LEAD), user, db.session())
    return records if records.can("view") else None


def overdue_select(records: Records, now: datetime, owner_id: int | None = None) -> Any:
    """A SELECT of (lead, its due time) the user sees, overdue at ``now``."""
    statement = records.select().add_columns(Response.due_at).join(Response, Response.lead_id == Lead.id)
    statement = statement.where(Response.responded_at.is_(None), Response.due_at < now)
    if owner_id is not None:
        statement = statement.where(Lead.owner_id == owner_id)
    return statement


def count(user: Any, now: datetime | None = None, owner_id: int | None = None) -> int | None:
    """How many overdue leads the user sees, at most COUNT_CAP + 1 (None: they see no leads)."""
    records = lead_records(user)
    if records is None:
        return None
    statement = overdue_select(records, now or utcnow(), owner_id).with_only_columns(Lead.id).limit(COUNT_CAP + 1)
    return records.db.execute(select(func.count()).select_from(statement.subquery())).scalar()


def page(user: Any, after: tuple[datetime, int] | None = None, limit: int = PAGE, now: datetime | None = None,
         owner_id: int | None = None) -> tuple[list[tuple[Lead, datetime]], tuple[datetime, int] | None]:
    """The most overdue first: up to ``limit`` (lead, due) pairs after the cursor, and the next cursor."""
    records = lead_records(user)
    if records is None:
        raise Forbidden(f"{LEAD}.view")
    statement = overdue_select(records, now or utcnow(), owner_id)
    if after is not None:
        due, lead_id = after
        statement = statement.where(or_(Response.due_at > due, and_(Response.due_at == due, Lead.id > lead_id)))
    rows = list(records.db.execute(statement.order_by(Response.due_at, Lead.id).limit(limit + 1)).all())
    more = len(rows) > limit
    rows = [(row[0], row[1]) for row in rows[:limit]]
    return rows, ((rows[-1][1], rows[-1][0].id) if more else None)
