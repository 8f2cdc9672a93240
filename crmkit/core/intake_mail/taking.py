"""What one message becomes: a new lead, an email on a known lead's timeline, or nothing.

Everything is written in the caller's session together with the message's own row
(``MailMessage``), and committed by the caller in one transaction: after a crash either all of
it exists, and the poll only marks the message, or none of it, and the message is taken again.

- A message already taken (the same Message-ID through another mailbox) points to what it made.
- An answer to a known lead (threads.lead_for) becomes an inbound email activity about it.
- An out-of-office answer or a bounce that answers no lead is skipped, with the reason kept.
- Anything else goes to ``receive()`` on the "email" channel, idempotent on the Message-ID
  (or on mailbox, UIDVALIDITY and UID when there is none).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.contacts.phones import default_region
from crmkit.core.files import Refused
from crmkit.core.files import attach as attach_file
from crmkit.core.intake_mail import parsing, threads
from crmkit.core.intake_mail.models import Mailbox, MailMessage
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.models import Lead
from crmkit.db import utcnow
from crmkit.entities.history import Change, diff
from crmkit.entities.transitions import new_row

CHANNEL = threads.CHANNEL
LEAD = "lead"
ACTIVITY = "activity"
SUBJECT_LIMIT = 200


@dataclass
class Fetched:
    """A message as the poll read it from the server."""

    uid: int
    uidvalidity: int
    data: bytes
    size: int
    arrived_at: datetime | None = None  # the server's INTERNALDATE
    truncated_to: int | None = None  # bytes of its body read, when it was larger than allowed
    limit: int | None = None


def external_id(mailbox: Mailbox, message: Fetched, parsed: parsing.ParsedMail) -> str:
    """The Message-ID (hashed when longer than the column), else mailbox, UIDVALIDITY and UID."""
    if parsed.message_id:
        if len(parsed.message_id) <= 200:
            return parsed.message_id
        return "sha256:" + hashlib.sha256(parsed.message_id.encode("utf-8", "replace")).hexdigest()
    return f"imap:{mailbox.id}:{message.uidvalidity}:{message.uid}"


def raw_payload(mailbox: Mailbox, message: Fetched, parsed: parsing.ParsedMail) -> dict[str, Any]:
    """What the lead keeps of the message for admins (``Lead.raw``): headers, the whole text,
    attachments by name and size, what was odd, and why it was cut if it was."""
    raw: dict[str, Any] = {
        "mailbox": mailbox.address, "mailbox_id": mailbox.id, "uidvalidity": message.uidvalidity, "uid": message.uid,
        "message_id": parsed.message_id, "from": parsed.sender_email, "from_name": parsed.sender_name,
        "reply_to": parsed.reply_to, "to": parsed.to[:20], "subject": parsed.subject,
        "date": parsed.date.isoformat() if parsed.date else None, "size": message.size,
        "text": parsed.text, "from_html": parsed.from_html,
        "attachments": [{"name": a.filename, "content_type": a.content_type, "size": a.size,
                         "attached": False} for a in parsed.attachments],
    }
    if parsed.notes:
        raw["notes"] = parsed.notes[:20]
    if message.truncated_to is not None:
        raw["truncated"] = {
            "reason": "too_large", "size": message.size, "limit": message.limit, "read": message.truncated_to,
            "note": f"The message is {message.size} bytes, over the mailbox's limit of {message.limit}; "
                    f"only its header and the first {message.truncated_to} bytes of its body were read, "
                    "and its attachments were not kept.",
        }
    return raw


def request_text(parsed: parsing.ParsedMail) -> str | None:
    return "\n\n".join(part for part in (parsed.subject, parsed.text) if part) or None


def add_email_activity(lead: Lead, mailbox: Mailbox, parsed: parsing.ParsedMail, at: datetime) -> Activity:
    """An email on the lead's timeline (inbound, or outbound when one of us wrote it), written as
    the system (no user) the way the records service writes one: history and ``entity_event`` see
    it; its owner is the lead's."""
    app = current_app.extensions["crmkit"]
    entity = app.entities.get(ACTIVITY)
    subject = parsed.subject or ""
    outbound = ours(mailbox, parsed.sender_email)
    theirs = parsed.contact_email
    if outbound:  # written to the client: theirs is the first address it went to that is not ours
        theirs = next((a for a in parsed.to if a not in (mailbox.address, parsed.sender_email)), None)
    values = {
        "kind": "email", "direction": "outbound" if outbound else "inbound",
        "subject": subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 1] + "…",
        "body": parsed.text or None, "about_entity": "lead", "about_id": lead.id, "happened_at": at,
        "our_address": mailbox.address[:254], "their_address": (theirs or "")[:254] or None,
    }
    activity = Activity(**values, owner_id=lead.owner_id, created_by_id=None)
    session = db.session()
    emit(app, "before_create", entity, activity, values)
    session.add(activity)
    session.flush()
    shown = {k: v for k, v in values.items() if v is not None}
    session.add(new_row(Change, entity=ACTIVITY, record_id=activity.id, action="create", user_id=None,
                        changes=diff({}, shown), at=utcnow()))
    emit(app, "after_create", entity, activity, values)
    return activity


def ours(mailbox: Mailbox, address: str | None) -> bool:
    """Whether a message was written by us: from the mailbox itself or a user's address (an
    agent who copied the mailbox on an answer to the client)."""
    if not address:
        return False
    if address == mailbox.address:
        return True
    return db.session().execute(select(User.id).where(User.email == address).limit(1)).scalar() is not None


def emit(app: Any, event: str, entity: Any, record: Any, changes: dict[str, Any]) -> None:
    app.pm.hook.entity_event(event=event, entity=entity, record=record, changes=changes, user=None)


def row_for(mailbox: Mailbox, message: Fetched, parsed: parsing.ParsedMail, outcome: str) -> MailMessage:
    note = f"cut: {message.size} bytes, over the limit of {message.limit}" if message.truncated_to is not None else None
    return MailMessage(
        mailbox_id=mailbox.id, uidvalidity=message.uidvalidity, uid=message.uid,
        message_id=(parsed.message_id or "")[:255] or None, outcome=outcome,
        sender=(parsed.contact_email or "")[:320] or None, subject=parsed.subject[:200] or None,
        size=message.size, note=note, taken_at=utcnow(),
    )


def already_taken(message_id: str | None, own_id: int) -> MailMessage | None:
    """The row of this Message-ID taken earlier through any mailbox, if any."""
    if not message_id:
        return None
    return db.session().execute(
        select(MailMessage).where(MailMessage.message_id == message_id[:255], MailMessage.outcome != "sent",
                                  MailMessage.id != own_id)
        .order_by(MailMessage.id).limit(1)
    ).scalars().first()


def take(mailbox: Mailbox, message: Fetched) -> tuple[MailMessage, parsing.ParsedMail]:
    """Write what ``message`` becomes, with its row, into the current session (not committed);
    the row and the message as read.

    The row is written first: it claims the message (a second poll at the same moment stops at
    its unique key), and it opens the transaction with a real write, so that on SQLite the
    savepoint ``receive()`` uses is nested in it instead of committing on its own.
    """
    parsed = parsing.parse(message.data, default_region(), keep_attachments=message.truncated_to is None)
    session = db.session()
    row = row_for(mailbox, message, parsed, "lead")
    session.add(row)
    session.flush()
    before = already_taken(parsed.message_id, row.id)
    if before is not None:
        fill(row, "existing", lead_id=before.lead_id, activity_id=before.activity_id, note=f"already taken as #{before.id}")
    elif (lead := threads.lead_for(parsed)) is not None:
        activity = add_email_activity(lead, mailbox, parsed, message.arrived_at or utcnow())
        fill(row, "reply", lead_id=lead.id, activity_id=activity.id)
    elif parsed.automatic:
        fill(row, "skipped", note="an automatic answer (out of office, bounce) to no known lead")
    else:
        lead, created = receive(Incoming(
            channel=CHANNEL, name=parsed.sender_name, emails=[parsed.contact_email] if parsed.contact_email else [],
            phones=parsed.phones, request=request_text(parsed), raw=raw_payload(mailbox, message, parsed),
            external_id=external_id(mailbox, message, parsed), received_at=message.arrived_at,
            source_hints={"mailbox": mailbox.address},
        ))
        fill(row, "lead" if created else "existing", lead_id=lead.id)
        if created and parsed.attachments:
            lead.raw = {**(lead.raw or {}), "attachments": attach_all(lead, parsed)}
    if row.outcome == "reply" and parsed.attachments:
        attach_all(lead, parsed)
    return row, parsed


def attach_all(lead: Lead, parsed: parsing.ParsedMail) -> list[dict[str, Any]]:
    """The message's attachments as files of the lead, in this transaction; each one as listed in
    the lead's raw payload: attached with its id, or not with the reason (cut message, refused)."""
    listed = []
    for attachment in parsed.attachments:
        entry: dict[str, Any] = {"name": attachment.filename, "content_type": attachment.content_type,
                                 "size": attachment.size, "attached": False}
        if attachment.data is None:
            entry["reason"] = "the message was cut before it"
        else:
            try:
                stored = attach_file(LEAD, lead.id, attachment.data, attachment.filename,
                                     content_type=attachment.content_type)
            except Refused as refused:
                entry["reason"] = refused.message
            else:
                entry.update(attached=True, attachment_id=stored.id)
        listed.append(entry)
    return listed


def fill(row: MailMessage, outcome: str, note: str | None = None, **values: Any) -> None:
    row.outcome = outcome
    if note:
        row.note = (f"{row.note}; {note}" if row.note else note)[:500]
    for name, value in values.items():
        setattr(row, name, value)
