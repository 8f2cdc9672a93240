"""Mailboxes that leads arrive in, and a row per message taken from one.

A message row is written in the same transaction as the lead or timeline entry it made, so
after a crash the poll knows what it already took (unique mailbox, UIDVALIDITY, UID) and only
marks it in the mailbox. Rows without a mailbox are messages sent to a lead's contact by other
code (``threads.remember_sent``), so answers to them find the lead.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

SECURITY = ("ssl", "starttls", "none")
DONE_ACTIONS = ("flag", "move")
DEFAULT_KEYWORD = "$CrmkitLead"
OUTCOMES = ("lead", "existing", "reply", "skipped", "sent")


class Mailbox(SQLModel, table=True):
    """An IMAP folder polled for leads. The password is kept encrypted (``sealing``) and never
    shown back; ``alias`` is the address source detection matches (kind "mailbox")."""

    __tablename__ = "intake_mail_mailbox"

    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(default=1)
    name: str = Field(max_length=100)
    host: str = Field(max_length=255)
    port: int = Field(default=993)
    security: str = Field(default="ssl", max_length=10)
    username: str = Field(max_length=320)
    password_sealed: str = Field(default="", max_length=2000)
    folder: str = Field(default="INBOX", max_length=200)
    alias: str | None = Field(default=None, max_length=320)
    done_action: str = Field(default="flag", max_length=10)
    done_keyword: str = Field(default=DEFAULT_KEYWORD, max_length=60)
    done_folder: str | None = Field(default=None, max_length=200)
    poll_minutes: int = Field(default=5)
    max_message_kb: int = Field(default=10240)
    active: bool = Field(default=True)
    take_existing: bool = Field(default=False)  # also the messages already in the folder when first polled
    first_uid: int | None = Field(default=None, sa_type=BigInteger)  # messages below it are not taken
    uidvalidity: int | None = Field(default=None, sa_type=BigInteger)
    last_uid: int | None = Field(default=None, sa_type=BigInteger)
    last_polled_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = Field(default=None, max_length=1000)
    taken_count: int = Field(default=0)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def address(self) -> str:
        """The address leads were written to, for source detection and timeline entries."""
        return (self.alias or self.username).strip().lower()


class MailMessage(SQLModel, table=True):
    """One message taken from a mailbox (or sent about a lead) and what it became; a removed
    mailbox leaves its rows with no mailbox, so answers still find their leads."""

    __tablename__ = "intake_mail_message"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "uidvalidity", "uid", name="uq_intake_mail_message_uid"),
        Index("ix_intake_mail_message_mailbox", "mailbox_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    mailbox_id: int | None = Field(default=None, foreign_key="intake_mail_mailbox.id")
    uidvalidity: int | None = Field(default=None, sa_type=BigInteger)
    uid: int | None = Field(default=None, sa_type=BigInteger)
    message_id: str | None = Field(default=None, max_length=255, index=True)
    lead_id: int | None = Field(default=None, foreign_key="leads_lead.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activity.id")
    outcome: str = Field(max_length=20)
    sender: str | None = Field(default=None, max_length=320)
    subject: str | None = Field(default=None, max_length=200)
    size: int | None = None
    note: str | None = Field(default=None, max_length=500)
    taken_at: datetime = Field(default_factory=utcnow)
