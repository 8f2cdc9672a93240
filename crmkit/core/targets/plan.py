"""Plan and fact: each employee's and department's targets for a period beside what they won and
what their open pipeline weighs, every figure an SQL aggregate over the deals the viewer sees.

- Target: the sum of the monthly targets of the months that start within the period.
- Won: ``won_amount`` of deals closed in a won stage within the period (``closed_at``), from the
  kept daily totals for whole days (``won_by_owner``).
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

from sqlalchemy import func, select, union_all
from sqlalchemy.sql import ColumnElement

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.pipelines import totals
from crmkit.core.pipelines.models import Deal, Stage
from crmkit.core.targets.models import SalesTarget

CENT = Decimal("0.01")
FOREVER = 10**7  # a day after any kept one
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
    """Per owner: the won amounts and the count of deals won in the period. The whole UTC days
    inside it are read from the kept totals (``pipelines_deal_total``, whose ``won`` the triggers
    keep: a year is ~20 owners x 365 days x the won stages' rows, not the year's won deals); the
    part of a day at either end, which a user's time zone or a custom moment cuts, from the deals."""
    first, after = whole_days(period)
    found: dict[int, list] = defaultdict(lambda: [0, 0])  # cents, count
    if first < after:
        for owner, won, count in session.execute(kept_won(session, first, after, currency, visible)):
            found[owner][0] += int(won)
            found[owner][1] += int(count)
        edges = [Period(period.start, totals.day_start(first), None, None) if period.start is not None else None,
                 Period(totals.day_start(after), period.end, None, None) if period.end is not None else None]
    else:
        edges = [period]
    for edge in (e for e in edges if e is not None and (e.start is None or e.end is None or e.start < e.end)):
        query = (select(Deal.owner_id, func.sum(Deal.won_amount), func.count()).join(Stage, Stage.id == Deal.stage_id)
                 .where(*won_conditions(edge, currency, visible)).group_by(Deal.owner_id))
        for owner, total, count in session.execute(query):
            found[owner][0] += int(cents(total) * 100)
            found[owner][1] += count
    return {owner: ((Decimal(won) / 100).quantize(CENT), count) for owner, (won, count) in found.items() if count}


def whole_days(period: Period) -> tuple[int, int]:
    """``[first, after)``: the kept days wholly inside the period (day 0 holds open deals)."""
    first = 1 if period.start is None else totals.day_of(period.start) + (period.start != totals.day_start(totals.day_of(period.start)))
    after = FOREVER if period.end is None else totals.day_of(period.end)
    return max(first, 1), after


def kept_won(session, first: int, after: int, currency: str, visible):
    """Won cents and deals per owner over the kept days ``[first, after)`` of the won stages: one
    primary-key range per stage (stage, day, ...), in a UNION ALL."""
    table = totals.DealTotal.__table__.c
    won_stages = list(session.execute(select(Stage.id).where(Stage.kind == "won").order_by(Stage.id)).scalars())
    ranges = [select(table.owner_id, table.won, table.deals)
              .where(table.stage_id == stage, table.day >= first, table.day < after, table.currency == currency,
                     table.owner_id != 0, *visible(table.owner_id))
              for stage in won_stages] or [select(table.owner_id, table.won, table.deals).where(table.stage_id == -1)]
    rows = union_all(*ranges).subquery("kept") if len(ranges) > 1 else ranges[0].subquery("kept")
    return (select(rows.c.owner_id, func.sum(rows.c.won), func.sum(rows.c.deals)).group_by(rows.c.owner_id)
            .having(func.sum(rows.c.deals) != 0))


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

