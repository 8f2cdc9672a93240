"""`crmkit intake-mail`: list the lead mailboxes and check them now, from a shell or cron."""

from __future__ import annotations

import click
from sqlalchemy import select

from crmkit import db
from crmkit.core.intake_mail import polling
from crmkit.core.intake_mail.models import Mailbox
from crmkit.i18n import gettext as _


@click.group("intake-mail")
def intake_mail():
    """Mailboxes leads arrive in (IMAP)."""


@intake_mail.command("list")
def list_mailboxes():
    """Each mailbox: id, on/off, address, folder, last error."""
    for mailbox in db.session().execute(select(Mailbox).order_by(Mailbox.id).limit(polling.DUE_LIMIT)).scalars():
        state = _("on") if mailbox.active else _("off")
        click.echo(f"{mailbox.id}\t{state}\t{mailbox.address}\t{mailbox.folder}\t{mailbox.last_error or ''}")


@intake_mail.command("poll")
@click.option("--mailbox", "mailbox_id", type=int, default=None, help="Only this mailbox (its id); default: every active one.")
def poll(mailbox_id):
    """Take new messages now; exits with 1 when a mailbox could not be read."""
    session = db.session()
    if mailbox_id is not None:
        mailbox = session.get(Mailbox, mailbox_id)
        if mailbox is None:
            raise click.ClickException(_("There is no mailbox %(id)d.", id=mailbox_id))
        mailboxes = [mailbox]
    else:
        mailboxes = list(session.execute(select(Mailbox).where(Mailbox.active.is_(True)).order_by(Mailbox.id).limit(polling.DUE_LIMIT)).scalars())
    failed = False
    for mailbox in mailboxes:
        label = f"{mailbox.id} {mailbox.address}"
        result = polling.poll(mailbox)
        if result.ok:
            click.echo(f"{label}: {result.summary()}")
        else:
            failed = True
            click.echo(f"{label}: {result.error}", err=True)
    if failed:
        raise SystemExit(1)
