"""Helpers of the lead routing tests: leads arriving through a channel, accepted by a person, rules
written straight to their table (the admin page has its own tests), and reading back who got what."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.lead_routing.models import SETTINGS_ID, Assignment, Pointer, Response, RoutingSettings, Rule
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.models import Lead
from crmkit.entities.service import Records


def arrive(app, channel: str = "form", received_at: datetime | None = None, **fields: Any) -> int:
    """A lead received through ``channel`` (as a channel does: receive, then commit); its id."""
    with app.app_context():
        lead, _created = receive(Incoming(channel=channel, received_at=received_at, **fields))
        db.session().commit()
        return lead.id


def lead_of(app, lead_id: int) -> Lead:
    with app.app_context():
        lead = db.session().get(Lead, lead_id)
        db.session().expunge(lead)
        return lead


def as_user(user_id: int) -> User:
    return db.session().get(User, user_id)


def accept(app, lead_id: int, user_id: int) -> Lead:
    """Move a lead to "accepted" as a person does, through the records service; the lead after."""
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(user_id))
        records.update(records.get(lead_id), {"status": "accepted"}, None)
    return lead_of(app, lead_id)


def move(app, lead_id: int, user_id: int, status: str) -> Lead:
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(user_id))
        records.update(records.get(lead_id), {"status": status}, None)
    return lead_of(app, lead_id)


def add_rule(app, name: str = "Rule", **values: Any) -> int:
    """A rule at the end of the list (``conditions``, ``strategy``, ``user_id``, ``department_id``...)."""
    with app.app_context():
        session = db.session()
        last = session.execute(select(func.max(Rule.position))).scalar() or 0
        rule = Rule(name=name, position=last + 1, **values)
        session.add(rule)
        session.flush()
        session.add(Pointer(rule_id=rule.id))
        session.commit()
        return rule.id


def set_routing(app, fallback_user_id: int | None = None, deadlines: dict | None = None) -> None:
    with app.app_context():
        session = db.session()
        row = session.get(RoutingSettings, SETTINGS_ID) or RoutingSettings(id=SETTINGS_ID)
        row.fallback_user_id, row.deadlines = fallback_user_id, deadlines or {}
        session.add(row)
        session.commit()


def owners(app, lead_ids: list[int]) -> Counter:
    with app.app_context():
        found = db.session().execute(select(Lead.owner_id).where(Lead.id.in_(lead_ids))).scalars()
        return Counter(found)


def assignments(app, lead_id: int) -> list[tuple[int, str, int | None]]:
    with app.app_context():
        rows = db.session().execute(select(Assignment.user_id, Assignment.how, Assignment.rule_id)
                                    .where(Assignment.lead_id == lead_id).order_by(Assignment.id)).all()
        return [tuple(row) for row in rows]


def response_of(app, lead_id: int) -> Response | None:
    with app.app_context():
        row = db.session().get(Response, lead_id)
        if row is not None:
            db.session().expunge(row)
        return row
