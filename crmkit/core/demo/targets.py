"""The demo's sales targets for this year: each agent's month is what they won in an average month of
the past year plus a stretch, and each department's the sum of its agents', so plan and fact has a story."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlmodel import Session

from crmkit.core.access.models import Department
from crmkit.core.demo.company import Seller
from crmkit.core.targets.models import SalesTarget
from crmkit.core.targets.report import currency
from crmkit.db import utcnow

STRETCH = Decimal("1.15")
STEP = Decimal(50000)
FLOOR = Decimal(300000)


def write_targets(db: Session, deals, sellers: list[Seller], managers: list[Seller], today: date, actor) -> None:
    """Monthly targets of each agent and department for the calendar year of ``today`` (months already set are left)."""
    if currency() != "KZT":
        return  # the demo's deals are in tenge: targets in another currency would never be met
    since = today - timedelta(days=365)
    won: dict[int, Decimal] = {}
    for deal in deals:
        if deal.won_amount is not None and deal.closed.date() >= since and deal.data.get("currency", "KZT") == "KZT":
            won[deal.owner.id] = won.get(deal.owner.id, Decimal(0)) + deal.won_amount
    months = [date(today.year, month, 1) for month in range(1, 13)]
    taken = set(db.execute(select(SalesTarget.month, SalesTarget.user_id, SalesTarget.department_id)
                           .where(SalesTarget.month.in_(months))).all())
    units = dict(db.execute(select(Department.name, Department.id)
                            .where(Department.name.in_({s.department for s in sellers}))).all())
    per_unit: dict[int, Decimal] = {}
    rows = []
    for seller in sellers:
        monthly = max((won.get(seller.id, Decimal(0)) / 12 * STRETCH / STEP).quantize(Decimal(1)) * STEP, FLOOR)
        unit = units.get(seller.department)
        if unit is not None:
            per_unit[unit] = per_unit.get(unit, Decimal(0)) + monthly
        rows += [{"month": m, "user_id": seller.id, "department_id": None, "amount": monthly}
                 for m in months if (m, seller.id, None) not in taken]
    rows += [{"month": m, "user_id": None, "department_id": unit, "amount": amount}
             for unit, amount in per_unit.items() for m in months if (m, None, unit) not in taken]
    if rows:
        db.execute(insert(SalesTarget.__table__), [{**row, "currency": "KZT", "updated_by_id": actor.id, "updated_at": utcnow()} for row in rows])
