"""The home page's figures of the week: calls and meetings, new clients, and for whoever sees others'
work (a manager, an admin) the same per employee.

Each figure is the week so far (Monday on the user's clock until now) of the records the user sees,
read through the reports' own queries: activities from the hourly counts
(crmkit/core/activities/reports.py ``employee_counts``, visibility through the counts' owner),
new clients as the "new clients" reports count them (organisations and people marked as clients,
by when they were added; ``ix_contacts_*_created``). So a figure on the home page, the report and
the list it links to always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.access.policy import access_for
from crmkit.core.activities import reports as activity_reports
from crmkit.core.auth.models import User
from crmkit.reports.context import Context
from crmkit.reports.views import list_url

WEEK = {"period": "this_week"}
CLIENT_REPORTS = (("organization", "clients_new"), ("person", "clients_new_people"))
ACTIVITY_FIGURES = ("call", "answered", "missed", "meeting", "email", "task")
TEAM_LIMIT = 50  # employees listed; a department is smaller, an admin of a large company sees the busiest


@dataclass
class Week:
    """The week's figures: ``totals`` by name, ``links`` to the lists behind them, ``team`` one
    row per employee (name and figures) for whoever sees beyond their own."""

    totals: dict[str, int] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)
    team: list[dict[str, Any]] = field(default_factory=list)
    shown: set[str] = field(default_factory=set)  # which figures the user may see at all


def week(user: Any, team: bool) -> Week:
    """This week's figures as ``user`` sees them; ``team``: with one row per employee."""
    registry = current_app.extensions.get("crmkit.reports")
    found = Week()
    if registry is None:
        return found
    session = db.session()
    access = access_for(session, user)
    per_owner: dict[int, dict[str, int]] = {}
    report = registry.get("activity")
    if report is not None and access.can("activity.view"):
        ctx = Context.build(report, user, WEEK, session)
        for owner, figures in activity_reports.employee_counts(ctx).items():
            per_owner.setdefault(owner, {}).update(figures)
        found.shown |= set(ACTIVITY_FIGURES)
        found.links |= {
            "call": list_url("activity", activity_reports.drill(ctx, None, "call")),
            "missed": list_url("activity", activity_reports.drill(ctx, None, "call",
                                                                  outcome__in=",".join(activity_reports.MISSED))),
            "meeting": list_url("activity", activity_reports.drill(ctx, None, "meeting")),
        }
    for entity, key in CLIENT_REPORTS:
        report = registry.get(key)
        if report is None or not access.can(f"{entity}.view"):
            continue
        ctx = Context.build(report, user, WEEK, session)
        for owner, count in new_clients(ctx):
            figures = per_owner.setdefault(owner, {})
            figures["clients"] = figures.get("clients", 0) + count
            figures[f"clients_{entity}"] = count
        found.shown |= {"clients", f"clients_{entity}"}
        found.links[f"clients_{entity}"] = list_url(entity, ctx.drill_args())
    if team:  # whoever the user sees counts, with nothing done yet too
        ids = access.owner_ids(access.level("activity"))
        for owner in active_users(session, ids) if ids is not None and len(ids) <= TEAM_LIMIT else ():
            per_owner.setdefault(owner, {})
    names = ctx_names(session, per_owner)
    for name in (*ACTIVITY_FIGURES, "clients", "clients_organization", "clients_person"):
        found.totals[name] = sum(figures.get(name, 0) for figures in per_owner.values())
    if team:
        rows = [{"owner": owner, "name": names.get(owner, ""), **{n: figures.get(n, 0) for n in (*ACTIVITY_FIGURES, "clients")}}
                for owner, figures in per_owner.items() if owner]
        rows.sort(key=lambda r: (-(r["call"] + r["meeting"] + r["email"] + r["task"] + r["clients"]), r["name"]))
        found.team = rows[:TEAM_LIMIT]
    return found


def new_clients(ctx: Context) -> list[tuple[int, int]]:
    """(owner, count) of the clients added in the period, with the report's conditions (visibility,
    period on ``created_at``, ``is_client``): one GROUP BY over the created_at index."""
    table = ctx.table()
    statement = select(table.c.owner_id, func.count()).where(*ctx.conditions(table)).group_by(table.c.owner_id)
    return [(owner or 0, int(count)) for owner, count in ctx.db.execute(statement)]


def active_users(session, ids) -> list[int]:
    return list(session.execute(select(User.id).where(User.id.in_(sorted(ids)), User.is_active.is_(True))).scalars())


def ctx_names(session, per_owner: dict[int, Any]) -> dict[int, str]:
    ids = [i for i in per_owner if i]
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.name, User.email).where(User.id.in_(ids)))
    return {row.id: row.name or row.email for row in rows}
