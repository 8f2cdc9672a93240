"""`crmkit reminders send`: one pass of the reminder mail, for cron and for checking the setup."""

from __future__ import annotations

import click

from crmkit import mail
from crmkit.core.myday import reminders
from crmkit.i18n import gettext as _


@click.group("reminders")
def reminders_group():
    """Reminders of tasks and meetings, sent by mail to their owners."""


@reminders_group.command("send")
def send():
    """Mail every due reminder now; the worker does the same each minute."""
    if not mail.enabled():
        raise click.ClickException(_("Mail is off: set CRMKIT_SMTP_HOST to send reminders."))
    outcome = reminders.send_due()
    click.echo(_("Reminders sent: %(sent)d, failed: %(failed)d.", sent=outcome.sent, failed=outcome.failed))
    if outcome.failed:
        raise SystemExit(1)
