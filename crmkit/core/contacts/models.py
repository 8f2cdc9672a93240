"""The tables of people, organisations, where people work, and the index of their phones and emails."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Index, Text
from sqlmodel import Field, SQLModel

from crmkit import Record


class Counterparty(Record):
    """What people and organisations share: roles, channels, tags, segment and source.

    ``phone`` and ``email`` are the main ones (E.164 and normalised, indexed: the import's
    duplicate keys); ``other_phones`` and ``other_emails`` hold the rest, one per line.
    ``phones_typed`` keeps each number as it was typed, by its E.164 form.
    Every phone and email is also in ``contacts_channel`` for lookups across both tables.
    """

    name: str = Field(max_length=200, index=True)
    phone: str | None = Field(default=None, max_length=20, index=True)
    other_phones: str | None = Field(default=None, sa_type=Text)
    phones_typed: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    email: str | None = Field(default=None, max_length=254, index=True)
    other_emails: str | None = Field(default=None, sa_type=Text)
    is_client: bool = Field(default=False, index=True)
    is_prospect: bool = Field(default=False, index=True)
    is_supplier: bool = Field(default=False, index=True)
    is_partner: bool = Field(default=False, index=True)
    is_competitor: bool = Field(default=False, index=True)
    segment: str | None = Field(default=None, max_length=20, index=True)
    source: str | None = Field(default=None, max_length=40, index=True)
    tags: str | None = Field(default=None, max_length=500)
    messengers: str | None = Field(default=None, sa_type=Text)
    website: str | None = Field(default=None, max_length=500)
    address: str | None = Field(default=None, sa_type=Text)
    description: str | None = Field(default=None, sa_type=Text)


class Organization(Counterparty, table=True):
    """A company or an institution; ``parent_id`` makes it a branch of another."""

    __tablename__ = "contacts_organization"
    __table_args__ = (
        Index("ix_contacts_organization_owner_list", "owner_id", "archived_at", "name"),  # an agent's own list
        Index("ix_contacts_organization_created", "created_at"),  # the clients added in a period (home, reports)
        Index("ix_contacts_organization_updated", "updated_at", "id"),  # automation: idle for N days
    )

    legal_name: str | None = Field(default=None, max_length=300)
    bin: str | None = Field(default=None, max_length=12, index=True)
    parent_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    industry: str | None = Field(default=None, max_length=40, index=True)
    size: str | None = Field(default=None, max_length=20, index=True)


class Person(Counterparty, table=True):
    """A person; ``organization_id`` and ``position`` are their main job (more in contacts_employment)."""

    __tablename__ = "contacts_person"
    __table_args__ = (
        Index("ix_contacts_person_owner_list", "owner_id", "archived_at", "name"),  # an agent's own list
        Index("ix_contacts_person_created", "created_at"),  # the clients added in a period (home, reports)
        Index("ix_contacts_person_updated", "updated_at", "id"),  # automation: idle for N days
    )

    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    position: str | None = Field(default=None, max_length=200)
    iin: str | None = Field(default=None, max_length=12, index=True)
    birthday: date | None = None


class Employment(SQLModel, table=True):
    """A person's work at an organisation besides the main job, current or past."""

    __tablename__ = "contacts_employment"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="contacts_person.id", index=True)
    organization_id: int = Field(foreign_key="contacts_organization.id", index=True)
    position: str | None = Field(default=None, max_length=200)
    current: bool = True


class Channel(SQLModel, table=True):
    """One phone (E.164) or email of a person or an organisation: what caller lookup and the
    duplicate check search, one indexed equality instead of a scan of two tables."""

    __tablename__ = "contacts_channel"
    __table_args__ = (
        Index("ix_contacts_channel_value", "kind", "value"),
        Index("ix_contacts_channel_record", "entity", "record_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)  # "phone" or "email"
    value: str = Field(max_length=254)
    entity: str = Field(max_length=40)
    record_id: int
