"""What triage keeps beside the lead: where each deal came from (the converting lead's channel,
source and UTM tags), every conversion or link of a lead to a deal, the quality-control rounds a
lead went through, and the admins' quality-control settings.

The deal's origin is a table of this plugin, one row per deal (``deal_id`` is its key), not
columns on ``pipelines_deal``: another plugin's table is never altered. Reports group deals by
source through it; the deal page and its timeline show it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
OUTCOMES = ("returned", "confirmed")  # what a controller decided; None while the lead waits
DEFAULT_STALE_DAYS = 3
DEFAULT_SKIPPED_REASONS = ("spam", "duplicate")  # rejections that skip quality control


class DealOrigin(SQLModel, table=True):
    """The lead a deal came from, and that lead's channel, source and UTM tags as they were when it
    was converted (the first lead converted into or linked to the deal)."""

    __tablename__ = "lead_triage_deal_origin"

    deal_id: int = Field(foreign_key="pipelines_deal.id", primary_key=True)
    lead_id: int = Field(foreign_key="leads_lead.id", index=True)
    channel: str = Field(max_length=30, index=True)
    source_id: int | None = Field(default=None, foreign_key="leads_source.id", index=True)
    utm_source: str | None = Field(default=None, max_length=200)
    utm_medium: str | None = Field(default=None, max_length=200)
    utm_campaign: str | None = Field(default=None, max_length=200)
    utm_content: str | None = Field(default=None, max_length=200)
    utm_term: str | None = Field(default=None, max_length=200)
    referrer: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(default_factory=utcnow)


class Conversion(SQLModel, table=True):
    """A lead converted into a deal (``created``: the deal was made for it) or linked to one that
    existed; both timelines read it, the lead's by ``lead_id`` and the deal's by ``deal_id``."""

    __tablename__ = "lead_triage_conversion"
    __table_args__ = (
        Index("ix_lead_triage_conversion_lead", "lead_id", "at"),
        Index("ix_lead_triage_conversion_deal", "deal_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads_lead.id")
    deal_id: int = Field(foreign_key="pipelines_deal.id")
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id")
    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id")
    created: bool = Field(default=True)
    user_id: int | None = Field(default=None, foreign_key="core_user.id")
    at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """One round of quality control: why the lead was sent (``reason``: rejected, stale or lost,
    with a ``note``), and what the controller decided, when, and their comment."""

    __tablename__ = "lead_triage_review"
    __table_args__ = (
        Index("ix_lead_triage_review_lead", "lead_id", "id"),
        Index("ix_lead_triage_review_queued", "queued_at", "reason", "outcome"),
    )

    id: int | None = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="leads_lead.id")
    reason: str = Field(max_length=30)
    note: str | None = Field(default=None, max_length=2000)
    queued_at: datetime = Field(default_factory=utcnow)
    outcome: str | None = Field(default=None, max_length=20)
    decided_at: datetime | None = Field(default=None)
    decided_by_id: int | None = Field(default=None, foreign_key="core_user.id")
    comment: str | None = Field(default=None, max_length=2000)


class Settings(SQLModel, table=True):
    """The admins' quality-control settings (one row): after how many days without an action an
    open lead is stale, and which rejection reasons skip quality control."""

    __tablename__ = "lead_triage_settings"

    id: int | None = Field(default=None, primary_key=True)
    stale_days: int = Field(default=DEFAULT_STALE_DAYS)
    skipped_reasons: list[str] = Field(default_factory=lambda: list(DEFAULT_SKIPPED_REASONS), sa_type=JSON)
    updated_at: datetime = Field(default_factory=utcnow)
