"""Plan and fact: each employee's and department's targets for a period beside what they won and
what their open pipeline weighs, every figure an SQL aggregate over the deals the viewer sees.

- Target: the sum of the monthly targets of the months that start within the period.
- Won: ``won_amount`` of deals closed in a won stage within the period (``closed_at``).
- Weighted: open deals expected to close within the period (``expected_close_on``), each
  ``amount x probability`` (the deal's, else its stage's) / 100.
- Forecast: won + weighted.

Only deals in the targets' currency count. An employee's figures are their own deals'; a
department's, those of its members and of the departments under it, and a department is shown
only to whoever sees every one of those members' deals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.sql import ColumnElement

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.pipelines.models import Deal, Stage
from crmkit.core.targets.models import SalesTarget

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


@dataclass
class Figures:
    """One row's money: all Decimal, rounded to cents."""

    target: Decimal | None = None
    won: Decimal = ZERO
    weighted: Decimal = ZERO
    won_count: int = 0
    open_count: int = 0

    @property
    def forecast(self) -> Decimal:
        return self.won + self.weighted

    @property
    def done_share(self) -> Decimal | None:
        """Won as a percentage of the target (100 = met), None without a target."""
        return percent(self.won, self.target)

    @property
    def forecast_share(self) -> Decimal | None:
        return percent(self.forecast, self.target)

    def add(self, other: Figures) -> None:
        if other.target is not None:
            self.target = (self.target or ZERO) + other.target
        self.won += other.won
        self.weighted += other.weighted
        self.won_count += other.won_count
        self.open_count += other.open_count


@dataclass
class Period:
    """The period in UTC moments (for ``closed_at``) and local dates (for ``expected_close_on``
    and months); None on either side: unbounded."""

    start: datetime | None
    end: datetime | None
    first_day: date | None
    end_day: date | None  # exclusive


def between(column, low, high) -> list[ColumnElement]:
    return [c for c in ((column >= low) if low is not None else None, (column < high) if high is not None else None) if c is not None]


def won_conditions(period: Period, currency: str, visible) -> list[ColumnElement]:
    """Deals won in the period, in ``currency``, that the viewer sees (with Stage joined)."""
    return [Stage.kind == "won", Deal.archived_at.is_(None), Deal.currency == currency, Deal.owner_id.is_not(None),
            *between(Deal.closed_at, period.start, period.end), *visible(Deal.owner_id)]


def open_conditions(period: Period, currency: str, visible) -> list[ColumnElement]:
    """Open deals expected to close in the period, in ``currency``, that the viewer sees."""
    return [Stage.kind == "open", Deal.closed_at.is_(None), Deal.archived_at.is_(None), Deal.currency == currency,
            Deal.owner_id.is_not(None), *between(Deal.expected_close_on, period.first_day, period.end_day),
            *visible(Deal.owner_id)]


def won_by_owner(session, period: Period, currency: str, visible) -> dict[int, tuple[Decimal, int]]:
    query = (select(Deal.owner_id, func.sum(Deal.won_amount), func.count()).join(Stage, Stage.id == Deal.stage_id)
             .where(*won_conditions(period, currency, visible)).group_by(Deal.owner_id))
    return {owner: (cents(total), count) for owner, total, count in session.execute(query)}


def weighted_by_owner(session, period: Period, currency: str, visible) -> dict[int, tuple[Decimal, int]]:
    probability = func.coalesce(Deal.probability, Stage.probability)
    query = (select(Deal.owner_id, func.sum(Deal.amount * probability), func.count()).join(Stage, Stage.id == Deal.stage_id)
             .where(*open_conditions(period, currency, visible)).group_by(Deal.owner_id))
    return {owner: (cents(Decimal(str(total or 0)) / 100), count) for owner, total, count in session.execute(query)}


def targets(session, period: Period, currency: str) -> tuple[dict[int, Decimal], dict[int, Decimal]]:
    """Targets summed over the months starting in the period: by user and by department."""
    query = (
        select(SalesTarget.user_id, SalesTarget.department_id, func.sum(SalesTarget.amount))
        .where(SalesTarget.currency == currency, *between(SalesTarget.month, period.first_day, period.end_day))
        .group_by(SalesTarget.user_id, SalesTarget.department_id)
    )
    users, departments = {}, {}
    for user_id, department_id, total in session.execute(query):
        if user_id is not None:
            users[user_id] = cents(total)
        else:
            departments[department_id] = cents(total)
    return users, departments


def percent(part: Decimal, whole: Decimal | None) -> Decimal | None:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else None


def cents(value: Any) -> Decimal:
    return Decimal(str(value if value is not None else 0)).quantize(CENT)


def department_members(session) -> dict[int, set[int]]:
    """Each department's users, its sub-departments' included (one query of each table)."""
    parents = dict(session.execute(select(Department.id, Department.parent_id)).all())
    members: dict[int, set[int]] = defaultdict(set)
    for department_id in parents:
        members[department_id]  # every department, even an empty one
    for user_id, department_id in session.execute(select(User.id, User.department_id).where(User.department_id.is_not(None))):
        seen = set()
        while department_id is not None and department_id not in seen:
            seen.add(department_id)
            members[department_id].add(user_id)
            department_id = parents.get(department_id)
    return dict(members)

