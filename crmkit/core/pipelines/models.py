"""The tables of pipelines, their stages, deals, the people and competitors of a deal, the price
list and a deal's line items, and the reasons deals are lost.

Money is Decimal in NUMERIC columns (two places: tiyn and kopecks), never float. Names an admin
types for pipelines, stages and loss reasons are kept per language (``{"ru": ..., "kk": ...,
"en": ...}``) and shown in the user's language, falling back to any that is filled.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import object_session, relationship
from sqlmodel import Field, SQLModel

from crmkit import Record
from crmkit.db import utcnow

STAGE_KINDS = ("open", "won", "lost")
CURRENCIES = ("KZT", "RUB", "USD", "EUR")
PERSON_ROLES = ("decision_maker", "payer", "contact")


class Pipeline(SQLModel, table=True):
    """A configurable workflow for deals: per product line or per department (``department_id``)."""

    __tablename__ = "pipelines_pipeline"

    id: int | None = Field(default=None, primary_key=True)
    names: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    position: int = Field(default=0)
    department_id: int | None = Field(default=None, foreign_key="core_department.id", index=True)
    currency: str = Field(default="KZT", max_length=3)
    archived_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class Stage(SQLModel, table=True):
    """One column of a pipeline. ``kind`` says whether a deal in it is still open, won or lost;
    ``rot_days``: a deal left in this stage longer than that without a move is shown as rotting.
    An archived stage takes no new deals but keeps the transitions that passed through it."""

    __tablename__ = "pipelines_stage"
    __table_args__ = (Index("ix_pipelines_stage_order", "pipeline_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    pipeline_id: int = Field(foreign_key="pipelines_pipeline.id")
    names: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    position: int = Field(default=0)
    kind: str = Field(default="open", max_length=10)
    probability: int = Field(default=0)
    color: str = Field(default="#6b7280", max_length=7)
    rot_days: int | None = Field(default=None)
    archived_at: datetime | None = Field(default=None)


class LossReason(SQLModel, table=True):
    """Why a deal was lost; admins keep the list, archived ones stay on the deals that cite them."""

    __tablename__ = "pipelines_loss_reason"

    id: int | None = Field(default=None, primary_key=True)
    names: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    position: int = Field(default=0)
    archived_at: datetime | None = Field(default=None)


WON = text("won_amount IS NOT NULL AND archived_at IS NULL")  # the partial index of won deals


class Deal(Record, table=True):
    """A sale in progress: a pipeline and its stage (the workflow field ``stage_id``), who it is
    with, how much and when. ``amount`` is computed from the line items when there are any."""

    __tablename__ = "pipelines_deal"
    __table_args__ = (
        Index("ix_pipelines_deal_board", "stage_id", "archived_at", "id"),  # a board column, newest first
        Index("ix_pipelines_deal_owner_board", "owner_id", "stage_id", "archived_at", "id"),  # an agent's column
        Index("ix_pipelines_deal_owner_list", "owner_id", "archived_at", "title"),  # an agent's own list
        # a board's column totals read from the index alone: open deals (closed_at NULL), then recently closed
        Index("ix_pipelines_deal_totals", "stage_id", "closed_at", "archived_at", "owner_id", "currency", "probability", "amount"),
        # My day: an agent's open deals past their expected close, and those idle in a stage
        Index("ix_pipelines_deal_owner_due", "owner_id", "closed_at", "expected_close_on"),
        Index("ix_pipelines_deal_owner_idle", "owner_id", "stage_id", "stage_entered_at"),
        Index("ix_pipelines_deal_updated", "updated_at", "id"),  # automation: idle for N days
        # won deals by currency and closing: the clients' revenue (ABC) of a period from the index
        Index("ix_pipelines_deal_won", "currency", "closed_at", "owner_id", "organization_id", "won_amount",
              sqlite_where=WON, postgresql_where=WON),
    )

    title: str = Field(max_length=200, index=True)
    pipeline_id: int = Field(foreign_key="pipelines_pipeline.id", index=True)
    stage_id: int = Field(foreign_key="pipelines_stage.id")
    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    probability: int | None = Field(default=None)  # None: the stage's
    expected_close_on: date | None = Field(default=None, index=True)
    source: str | None = Field(default=None, max_length=40, index=True)
    stage_entered_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = Field(default=None, index=True)
    won_amount: Decimal | None = Field(default=None, max_digits=18, decimal_places=2)
    loss_reason_id: int | None = Field(default=None, foreign_key="pipelines_loss_reason.id", index=True)
    loss_note: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)

    @property
    def competitor_ids(self) -> list[int]:
        """The organisations that won this deal from us (rows of pipelines_deal_competitor), or the
        ones just set and not yet saved; the deal's entity_event hook writes them."""
        if "_competitor_ids" in self.__dict__:
            return self.__dict__["_competitor_ids"]
        if self.id is None or object_session(self) is None:
            return []
        return [row.organization_id for row in self.competitor_rows]

    @competitor_ids.setter
    def competitor_ids(self, value: list[int] | None) -> None:
        self.__dict__["_competitor_ids"] = sorted(value or [])

    def model_dump(self, **options: Any) -> dict[str, Any]:
        """The columns and the competitors (when there are any), as pages, forms and the API read a
        record's values."""
        values = super().model_dump(**options)
        if options.get("include") is None and "competitor_ids" not in (options.get("exclude") or ()):
            if competitors := self.competitor_ids:
                values["competitor_ids"] = competitors
        return values


class DealPerson(SQLModel, table=True):
    """A person taking part in a deal, in a role: decision maker, payer or contact."""

    __tablename__ = "pipelines_deal_person"
    __table_args__ = (UniqueConstraint("deal_id", "person_id", "role"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="pipelines_deal.id", index=True)
    person_id: int = Field(foreign_key="contacts_person.id", index=True)
    role: str = Field(default="contact", max_length=20)


class DealCompetitor(SQLModel, table=True):
    """An organisation (marked as a competitor) that won a deal we lost."""

    __tablename__ = "pipelines_deal_competitor"

    deal_id: int = Field(foreign_key="pipelines_deal.id", primary_key=True)
    organization_id: int = Field(foreign_key="contacts_organization.id", primary_key=True, index=True)


# Loaded with the deals that name them, in one SELECT ... IN per page of deals (an API list of fifty
# deals asked once per deal before); read through Deal.competitor_ids, written by the deal's events.
Deal.__mapper__.add_property("competitor_rows", relationship(
    DealCompetitor, lazy="selectin", viewonly=True, order_by=DealCompetitor.organization_id,
))


class PriceItem(SQLModel, table=True):
    """A line of the price list that admins keep: what line items are chosen from."""

    __tablename__ = "pipelines_price_item"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    code: str | None = Field(default=None, max_length=50)
    unit: str = Field(default="", max_length=20)
    price: Decimal = Field(default=Decimal("0"), max_digits=18, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    vat_rate: Decimal = Field(default=Decimal("0"), max_digits=5, decimal_places=2)
    archived_at: datetime | None = Field(default=None)


class LineItem(SQLModel, table=True):
    """One line of a deal: quantity times price, less a discount, plus VAT, in the deal's currency.
    Name, unit, price and VAT are copied from the price list when chosen, so a later price change
    never rewrites a deal."""

    __tablename__ = "pipelines_line_item"
    __table_args__ = (Index("ix_pipelines_line_item_deal", "deal_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    deal_id: int = Field(foreign_key="pipelines_deal.id")
    price_item_id: int | None = Field(default=None, foreign_key="pipelines_price_item.id")
    position: int = Field(default=0)
    name: str = Field(max_length=200)
    unit: str = Field(default="", max_length=20)
    quantity: Decimal = Field(default=Decimal("1"), max_digits=18, decimal_places=3)
    price: Decimal = Field(default=Decimal("0"), max_digits=18, decimal_places=2)
    discount_percent: Decimal = Field(default=Decimal("0"), max_digits=5, decimal_places=2)
    vat_rate: Decimal = Field(default=Decimal("0"), max_digits=5, decimal_places=2)
