"""The lead and the sources it comes from.

A lead keeps what the sender typed as given (names, phones, emails), plus normalized keys of the
first phone and email so duplicate hints and telephony match by equality, and the payload as it
arrived (``raw``). ``(channel, external_id)`` is unique: a sender's retry finds the lead it made.
Source names are typed by admins per language like pipeline stage names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from crmkit import Record
from crmkit.db import utcnow
from crmkit.i18n import lazy_gettext as _l

REJECTION_REASONS = {
    "spam": _l("Spam"),
    "duplicate": _l("Duplicate"),
    "not_target": _l("Not our client"),
    "no_answer": _l("No answer"),
    "other": _l("Other reason"),
}
REPROCESS_REASONS = {
    "rejected": _l("Rejected"),
    "stale": _l("No action for too long"),
    "lost": _l("Lost"),
}
MATCH_KINDS = ("utm_source", "form", "mailbox", "number", "referrer_host")  # the order detect() tries


class Source(SQLModel, table=True):
    """Where leads come from (a portal, an ad campaign, the website): named per language."""

    __tablename__ = "leads_source"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=50, unique=True)
    names: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    active: bool = Field(default=True)
    position: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)


class SourceMatch(SQLModel, table=True):
    """A value that points to a source: a utm_source tag, a form, a mailbox, a phone number or a
    referring site's host. One value names one source of its kind."""

    __tablename__ = "leads_source_match"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_leads_source_match_kind_value"),)

    id: int | None = Field(default=None, primary_key=True)
    source_id: int = Field(foreign_key="leads_source.id", index=True)
    kind: str = Field(max_length=20)
    value: str = Field(max_length=320)


class Lead(Record, table=True):
    """A request from someone who may become a client, as it arrived, and where triage took it."""

    __tablename__ = "leads_lead"
    __table_args__ = (
        UniqueConstraint("channel", "external_id", name="uq_leads_lead_channel_external_id"),
        # the unsorted queue and a status's list, by id over the live leads (partial, as below)
        Index("ix_leads_lead_queue", "status", "id", sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_leads_lead_owner_list", "owner_id", "archived_at", "id"),  # an agent's own leads
        # one source's leads, newest first (partial: PostgreSQL orders by id after source_id = ?, not after IS NULL)
        Index("ix_leads_lead_source_list", "source_id", "id", sqlite_where=text("archived_at IS NULL"),
              postgresql_where=text("archived_at IS NULL")),
        Index("ix_leads_lead_updated", "updated_at", "id"),  # automation: idle for N days
    )

    name: str | None = Field(default=None, max_length=200)
    organization_name: str | None = Field(default=None, max_length=200)
    phones: str | None = Field(default=None, max_length=200)
    emails: str | None = Field(default=None, max_length=320)
    phone_key: str | None = Field(default=None, max_length=20, index=True)
    email_key: str | None = Field(default=None, max_length=320, index=True)
    request: str | None = Field(default=None, max_length=5000)
    channel: str = Field(default="manual", max_length=30, index=True)
    source_id: int | None = Field(default=None, foreign_key="leads_source.id")  # indexed by ix_leads_lead_source_list
    utm_source: str | None = Field(default=None, max_length=200)
    utm_medium: str | None = Field(default=None, max_length=200)
    utm_campaign: str | None = Field(default=None, max_length=200)
    utm_content: str | None = Field(default=None, max_length=200)
    utm_term: str | None = Field(default=None, max_length=200)
    referrer: str | None = Field(default=None, max_length=2000)
    landing_page: str | None = Field(default=None, max_length=2000)
    raw: Any = Field(default=None, sa_type=JSON, nullable=True)
    external_id: str | None = Field(default=None, max_length=200)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    status: str = Field(default="new", max_length=20, index=True)
    response_due_at: datetime | None = Field(default=None, index=True)
    first_response_at: datetime | None = Field(default=None)
    assigned_at: datetime | None = Field(default=None)
    last_action_at: datetime | None = Field(default=None, index=True)
    rejection_reason: str | None = Field(default=None, max_length=30)
    rejection_note: str | None = Field(default=None, max_length=2000)
    reprocess_reason: str | None = Field(default=None, max_length=30)
    reprocess_note: str | None = Field(default=None, max_length=2000)
    person_id: int | None = Field(default=None, foreign_key="contacts_person.id", index=True)
    organization_id: int | None = Field(default=None, foreign_key="contacts_organization.id", index=True)
    deal_id: int | None = Field(default=None, foreign_key="pipelines_deal.id", index=True)
    duplicate_of_id: int | None = Field(default=None, foreign_key="leads_lead.id", index=True)
