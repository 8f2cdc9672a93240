"""The property tables: an object the agency lists, and the history of its price."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from crmkit import api


class Property(api.Record, table=True):
    """An apartment, house, plot of land or commercial premises for sale or rent. ``owner_id``
    (from Record) is the responsible agent; ``person_id`` the owner selling or letting it."""

    __tablename__ = "real_estate_property"
    __table_args__ = (
        Index("ix_real_estate_property_match_city", "status", "deal_type", "kind", "city", "price"),
        Index("ix_real_estate_property_match_district", "status", "deal_type", "kind", "district", "price"),
        Index("ix_real_estate_property_owner_list", "owner_id", "archived_at", "id"),
    )

    kind: str = Field(max_length=20, index=True)
    deal_type: str = Field(max_length=10, index=True)
    status: str = Field(default="active", max_length=20, index=True)
    number: str = Field(max_length=30, unique=True)
    city: str = Field(max_length=100, index=True)
    district: str | None = Field(default=None, max_length=100, index=True)
    street: str | None = Field(default=None, max_length=200)
    building: str | None = Field(default=None, max_length=50)
    latitude: float | None = None
    longitude: float | None = None
    area: Decimal = Field(max_digits=10, decimal_places=2)
    land_area: Decimal | None = Field(default=None, max_digits=10, decimal_places=2)
    rooms: int | None = None
    floor: int | None = None
    floors: int | None = None
    price: Decimal = Field(max_digits=15, decimal_places=2, index=True)
    currency: str = Field(default="KZT", max_length=3)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    description: str | None = Field(default=None, max_length=10000)
    published_at: datetime | None = Field(default=None)
    closed_at: datetime | None = Field(default=None)


class PriceChange(SQLModel, table=True):
    """One change of an object's price, written whenever the price is saved different."""

    __tablename__ = "real_estate_price_change"
    __table_args__ = (Index("ix_real_estate_price_change_history", "property_id", "changed_at"),)

    id: int | None = Field(default=None, primary_key=True)
    property_id: int = Field(foreign_key="real_estate_property.id")
    old_price: Decimal | None = Field(default=None, max_digits=15, decimal_places=2)
    new_price: Decimal = Field(max_digits=15, decimal_places=2)
    currency: str = Field(default="KZT", max_length=3)
    changed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))
    changed_by_id: int | None = Field(default=None, foreign_key="core_user.id")
