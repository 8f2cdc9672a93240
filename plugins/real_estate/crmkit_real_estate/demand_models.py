"""The demand tables: what a buyer or tenant is looking for, and the districts they named.

``districts`` on the demand is what people type and read (one per line); the child table holds
the same names one per row, so matching finds the demands naming a district through an index.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit import api


class Demand(api.Record, table=True):
    """A buyer's (or tenant's) request, on a person or a lead; ``owner_id`` is the buyer's agent."""

    __tablename__ = "real_estate_demand"
    __table_args__ = (
        Index("ix_real_estate_demand_match", "status", "deal_type", "kind", "city", "budget_max"),
        Index("ix_real_estate_demand_owner_list", "owner_id", "archived_at", "id"),
    )

    summary: str = Field(default="", max_length=300)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    lead_id: int | None = Field(default=None, foreign_key="leads_lead.id", index=True)
    deal_type: str = Field(max_length=10)
    kind: str = Field(max_length=20)
    city: str = Field(max_length=100)
    districts: str | None = Field(default=None, sa_type=Text)
    rooms_min: int | None = None
    rooms_max: int | None = None
    area_min: Decimal | None = Field(default=None, max_digits=10, decimal_places=2)
    area_max: Decimal | None = Field(default=None, max_digits=10, decimal_places=2)
    budget_min: Decimal | None = Field(default=None, max_digits=15, decimal_places=2)
    budget_max: Decimal | None = Field(default=None, max_digits=15, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    status: str = Field(default="active", max_length=20, index=True)
    note: str | None = Field(default=None, max_length=5000)


class DemandDistrict(SQLModel, table=True):
    """One district a demand names; a demand naming none takes any district of its city."""

    __tablename__ = "real_estate_demand_district"
    __table_args__ = (
        UniqueConstraint("demand_id", "district", name="uq_real_estate_demand_district"),
        Index("ix_real_estate_demand_district_district", "district", "demand_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="real_estate_demand.id", index=True)
    district: str = Field(max_length=100)
