"""Polling a mailbox: take each new message exactly once, even when a poll is killed midway.

For each message still in the folder without the done flag (or, in "move" mode, still in it):

1. if a row for (mailbox, UIDVALIDITY, UID) exists, it was taken by a poll that died before
   marking it: only mark it now;
2. otherwise read it (its header and the beginning of its body only, when it is larger than the
   mailbox allows), write what it becomes and its row, and commit;
3. then flag it (an IMAP keyword) or move it to the done folder.

A crash between 2 and 3 leaves a committed lead and an unmarked message, which the next poll
marks (1); a crash before the commit leaves nothing, and the message is taken again. Two polls at
once meet at the unique row and at ``receive()``'s unique (channel, external_id): one wins.
A mailbox that can't be read (address, TLS, password, folder) keeps the sentence saying why in
``last_error``, shown on the mailboxes page and logged, and the other mailboxes go on.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crmkit import db
from crmkit.core.intake_mail import imap, sealing, taking
from crmkit.core.intake_mail.imap import MailboxError
from crmkit.core.intake_mail.models import Mailbox, MailMessage
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

log = logging.getLogger("crmkit.intake_mail")
BATCH = 100  # messages one poll takes from a mailbox at most; the next poll goes on
PARTIAL = 256 * 1024  # bytes of a too-large message's body that are read
DUE_LIMIT = 200


@dataclass
class PollResult:
    mailbox_id: int
    outcomes: Counter = field(default_factory=Counter)  # lead, existing, reply, skipped
    marked_late: int = 0  # taken by an earlier poll that stopped before marking them
    failed: list[str] = field(default_factory=list)  # messages left for the next poll, and why
    error: str | None = None
    kind: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        parts = [f"{key}={value}" for key, value in sorted(self.outcomes.items())]
        if self.marked_late:
            parts.append(f"marked_late={self.marked_late}")
        if self.failed:
            parts.append(f"failed={len(self.failed)}")
        return ", ".join(parts) or "nothing new"


def settings_of(mailbox: Mailbox, password: str | None = None) -> imap.Settings:
    """The connection settings, with the stored password unless ``password`` is given."""
    if password is None:
        try:
            password = sealing.unseal(mailbox.password_sealed) if mailbox.password_sealed else ""
        except sealing.Unreadable as error:
            raise MailboxError("password", _("The saved password can't be read (the secret key changed); enter it again.")) from error
    return imap.Settings(mailbox.host, mailbox.port, mailbox.security, mailbox.username, password, mailbox.folder)


def done_keyword(connection: imap.Connection, mailbox: Mailbox) -> str | None:
    """The keyword that marks taken messages (None in "move" mode), once the server is known to
    keep it or the done folder to exist."""
    if mailbox.done_action == "move":
        folder = mailbox.done_folder or ""
        if not folder or folder == mailbox.folder:
            raise MailboxError("folder", _("Choose a folder other than the polled one to move taken messages to."))
        if not connection.folder_exists(folder):
            raise MailboxError("folder", _("There is no folder “%(folder)s” to move taken messages to; create it in the mailbox first.",
                                           folder=folder))
        return None
    if not connection.keywords_allowed(mailbox.done_keyword):
        raise MailboxError("flags", _("The server does not keep the flag %(flag)s on messages; choose a folder to move taken messages to instead.",
                                      flag=mailbox.done_keyword))
    return mailbox.done_keyword


def check(mailbox: Mailbox, password: str | None = None) -> str:
    """Connect, log in, open the folder and check the done flag or folder, as a poll would;
    a sentence for the admin, or ``MailboxError``."""
    with imap.Connection(settings_of(mailbox, password)) as connection:
        keyword = done_keyword(connection, mailbox)
        waiting = len(connection.search(keyword))
    return _("Connected. Messages in the folder “%(folder)s”: %(count)d, not taken yet: %(waiting)d.",
             folder=mailbox.folder, count=connection.exists, waiting=waiting)


def mark(connection: imap.Connection, mailbox: Mailbox, uid: int) -> None:
    if mailbox.done_action == "move":
        connection.move(uid, mailbox.done_folder)
    else:
        connection.mark(uid, mailbox.done_keyword)


def follow_uidvalidity(connection: imap.Connection, mailbox: Mailbox) -> None:
    """Store UIDVALIDITY; when the server changed it, UIDs start over (Message-IDs still
    protect from taking a message twice). On the first poll of a mailbox that takes only new
    messages, those already there are left alone."""
    if mailbox.uidvalidity != connection.uidvalidity:
        if mailbox.uidvalidity is not None:
            log.warning("mailbox %s (%s): UIDVALIDITY changed from %s to %s; UIDs start over",
                        mailbox.id, mailbox.address, mailbox.uidvalidity, connection.uidvalidity)
            mailbox.first_uid = None
        elif not mailbox.take_existing:
            mailbox.first_uid = connection.uidnext or 1
        mailbox.uidvalidity, mailbox.last_uid = connection.uidvalidity, None


def take_one(connection: imap.Connection, mailbox: Mailbox, uid: int, result: PollResult) -> None:
    session = db.session()
    validity = connection.uidvalidity or 0
    known = session.execute(select(MailMessage.id).where(
        MailMessage.mailbox_id == mailbox.id, MailMessage.uidvalidity == validity, MailMessage.uid == uid)).scalar()
    if known is not None:
        result.marked_late += 1
    else:
        info = connection.info(uid)
        if info is None:  # deleted meanwhile
            return
        size, arrived = info
        limit = max(1, mailbox.max_message_kb) * 1024
        read = min(limit, PARTIAL) if size > limit else None
        data = connection.fetch(uid, read)
        if data is None:
            return
        message = taking.Fetched(uid, validity, data, size, arrived, truncated_to=read, limit=limit if read else None)
        try:
            row, _parsed = taking.take(mailbox, message)
            mailbox.last_uid = max(mailbox.last_uid or 0, uid)
            mailbox.taken_count += 1
            session.commit()
        except IntegrityError:  # another poll took it at the same moment
            session.rollback()
            result.marked_late += 1
        except MailboxError:
            raise
        except Exception as error:  # noqa: BLE001 - one bad message must not stop the mailbox
            session.rollback()
            log.exception("mailbox %s (%s): message UID %s left for the next poll", mailbox.id, mailbox.address, uid)
            result.failed.append(f"UID {uid}: {type(error).__name__}: {error}"[:300])
            return
        else:
            result.outcomes[row.outcome] += 1
    mark(connection, mailbox, uid)


def poll(mailbox: Mailbox) -> PollResult:
    """Take what is new in one mailbox; never raises for the mailbox's own problems."""
    session = db.session()
    result = PollResult(mailbox.id)
    started = utcnow()
    try:
        with imap.Connection(settings_of(mailbox)) as connection:
            keyword = done_keyword(connection, mailbox)
            follow_uidvalidity(connection, mailbox)
            session.commit()
            floor = mailbox.first_uid or 0
            for uid in [u for u in connection.search(keyword) if u >= floor][:BATCH]:
                take_one(connection, mailbox, uid, result)
    except MailboxError as error:
        session.rollback()
        result.error, result.kind = str(error), error.kind
    mailbox = session.get(Mailbox, result.mailbox_id)
    mailbox.last_polled_at = started
    if result.error:
        mailbox.last_error = result.error[:1000]
        log.warning("mailbox %s (%s): %s", mailbox.id, mailbox.address, result.error)
    else:
        mailbox.last_success_at = utcnow()
        mailbox.last_error = "; ".join(result.failed)[:1000] or None
        log.info("mailbox %s (%s): %s", mailbox.id, mailbox.address, result.summary())
    session.commit()
    return result


def due(now=None) -> list[Mailbox]:
    """Active mailboxes whose poll interval has passed."""
    now = now or utcnow()
    active = db.session().execute(select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.id).limit(DUE_LIMIT)).scalars()
    return [m for m in active if m.last_polled_at is None or m.last_polled_at + timedelta(minutes=max(1, m.poll_minutes)) <= now + timedelta(seconds=5)]


def poll_due() -> None:
    """The periodic job: poll every mailbox that is due, one after another."""
    for mailbox in due():
        poll(mailbox)


def poll_now(mailbox_id: int) -> None:
    """The job behind "Poll now" and ``crmkit intake-mail poll``."""
    mailbox = db.session().get(Mailbox, mailbox_id)
    if mailbox is not None:
        poll(mailbox)
