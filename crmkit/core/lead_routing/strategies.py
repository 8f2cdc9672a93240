"""Who a rule gives a lead to: a named user, the next in turn in a team (round robin), or the
team's least loaded agent (fewest open leads); optionally only those now in working hours.

A team is a department and the departments under it, its active users. Round robin and least
loaded both take the rule's pointer row first (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the
transaction already holds the database's one write lock, taken by the lead's own change), so two
leads accepted at once are given out one after the other: the turns stay fair and two agents
never both look least loaded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crmkit.core.access.policy import department_subtree
from crmkit.core.auth.models import User
from crmkit.core.lead_routing.models import Pointer, Rule
from crmkit.core.leads.models import Lead
from crmkit.core.worktime import calendar

LOADING_STATES = ("assigned", "in_work", "reprocessing")  # an agent's open leads, what "load" counts


def team(session: Any, department_id: int | None) -> list[User]:
    """The active users of a department and those under it, by id."""
    if department_id is None:
        return []
    departments = department_subtree(session, department_id)
    statement = select(User).where(User.department_id.in_(departments), User.is_active.is_(True)).order_by(User.id)
    return list(session.execute(statement).scalars())


def working_now(users: list[User], now: datetime) -> list[User]:
    """Those of ``users`` for whom ``now`` is working time, on their own clock when they set one."""
    return [user for user in users if calendar(user.timezone or None).is_working_time(now)]


def pointer(session: Any, rule_id: int) -> Pointer:
    """The rule's pointer row, locked until the transaction ends (made on first use)."""
    statement = select(Pointer).where(Pointer.rule_id == rule_id).with_for_update()
    found = session.execute(statement).scalar()
    if found is None:
        try:
            with session.begin_nested():
                session.add(Pointer(rule_id=rule_id, turns=0))
        except IntegrityError:  # made by a transaction that got here first
            pass
        found = session.execute(statement).scalar()
    return found


def in_turn(candidates: list[int], last: int | None) -> list[int]:
    """``candidates`` (ascending ids) starting after ``last``, wrapping round."""
    after = [c for c in candidates if last is None or c > last]
    return after + [c for c in candidates if c not in after]


def loads(session: Any, user_ids: list[int]) -> dict[int, int]:
    """Each user's open leads (on ix_leads_lead_owner_list)."""
    statement = (select(Lead.owner_id, func.count()).where(Lead.owner_id.in_(user_ids), Lead.archived_at.is_(None),
                                                           Lead.status.in_(LOADING_STATES)).group_by(Lead.owner_id))
    counted = dict(session.execute(statement).all())
    return {user_id: counted.get(user_id, 0) for user_id in user_ids}


def choose(session: Any, rule: Rule, now: datetime) -> int | None:
    """The user ``rule`` gives a lead to now, or None when it finds nobody (the next rule tries)."""
    if rule.strategy == "user":
        user = session.get(User, rule.user_id) if rule.user_id else None
        if user is None or not user.is_active:
            return None
        if rule.working_hours_only and not working_now([user], now):
            return None
        return user.id
    members = team(session, rule.department_id)
    if rule.working_hours_only:
        members = working_now(members, now)
    if not members:
        return None
    turn = pointer(session, rule.id)
    ordered = in_turn([m.id for m in members], turn.last_user_id)
    if rule.strategy == "least_loaded":
        counted = loads(session, ordered)
        least = min(counted.values())
        ordered = [user_id for user_id in ordered if counted[user_id] == least]
    chosen = ordered[0]
    turn.last_user_id = chosen
    turn.turns += 1
    return chosen
