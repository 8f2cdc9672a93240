"""A monthly sales target: an amount an employee or a department is to win in a calendar month."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow


class SalesTarget(SQLModel, table=True):
    """One target: ``month`` is the first day of the month; exactly one of ``user_id`` and
    ``department_id`` is set. The amount is in ``currency`` (the deployment's target currency,
    KZT by default); won deals count toward it only in that currency."""

    __tablename__ = "targets_sales_target"
    __table_args__ = (
        UniqueConstraint("month", "user_id", name="uq_targets_sales_target_month_user"),
        UniqueConstraint("month", "department_id", name="uq_targets_sales_target_month_department"),
        CheckConstraint("(user_id IS NULL) <> (department_id IS NULL)", name="one_holder"),
    )

    id: int | None = Field(default=None, primary_key=True)
    month: date
    user_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    department_id: int | None = Field(default=None, foreign_key="core_department.id", index=True)
    amount: Decimal = Field(max_digits=18, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    updated_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    updated_at: datetime = Field(default_factory=utcnow)
