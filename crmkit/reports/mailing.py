"""Mailing saved reports as XLSX: the ``core.reports.send_due_mailings`` periodic job and the
``core.reports.mail_report`` job it queues once per recipient.

A due mailing is claimed by moving its ``next_run_at`` on (an UPDATE that names the old value,
so two schedulers never both take it) and committed before any mail is queued. Each recipient's
job runs as that recipient: the report is computed with their permissions and visibility, in
their language and time zone, and a recipient who may no longer run it gets nothing. A failed
send is retried by the job queue.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select, update

from crmkit import db as database
from crmkit import jobs, mail
from crmkit.core.access.policy import access_for
from crmkit.core.auth.models import User
from crmkit.i18n import gettext as _
from crmkit.reports import engine, exports, registry
from crmkit.reports.context import Context, zone_of
from crmkit.reports.models import ReportMailing, SavedReport
from crmkit.reports.saved import next_run

log = logging.getLogger("crmkit.reports.mailing")
BATCH = 100  # mailings one pass claims; the next pass takes the rest
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def send_due_mailings(now: datetime | None = None) -> int:
    """Claim every due mailing and queue one job per recipient; the number of jobs queued."""
    if not mail.enabled():
        log.debug("mail is off (CRMKIT_SMTP_HOST is not set); report mailings wait")
        return 0
    now = now or datetime.now(UTC)
    session = database.session()
    table = ReportMailing.__table__
    due = session.execute(
        select(ReportMailing).where(ReportMailing.next_run_at <= now).order_by(ReportMailing.next_run_at).limit(BATCH)
    ).scalars().all()
    queued = 0
    for mailing in due:
        owner = session.get(User, mailing.owner_id)
        following = next_run(mailing, zone_of(owner) if owner else "UTC", now)
        claimed = session.execute(
            update(table).where(table.c.id == mailing.id, table.c.next_run_at == mailing.next_run_at)
            .values(next_run_at=following, last_sent_at=now)
        ).rowcount == 1
        session.commit()
        if not claimed:
            continue
        for recipient_id in mailing.recipients:
            jobs.enqueue("core.reports.mail_report", mailing.id, user=recipient_id)
            queued += 1
    return queued


def mail_report(mailing_id: int, user: User) -> bool:
    """Mail one recipient (``user``) the mailing's saved report as XLSX, as they may see it."""
    session = database.session()
    mailing = session.get(ReportMailing, mailing_id)
    saved = session.get(SavedReport, mailing.saved_id) if mailing else None
    report = registry.reports().get(saved.report_key) if saved else None
    if report is None or user is None:
        return False
    access = access_for(session, user)
    if not (access.can(report.permission) and access.can(f"{report.entity}.view")):
        log.info("report mailing %s: %s may not run %s; nothing sent", mailing_id, user.email, report.key)
        return False
    languages = current_app.config["LANGUAGES"]
    locale = user.locale if user.locale in languages else current_app.config["DEFAULT_LOCALE"]
    with force_locale(locale):
        ctx = Context.build(report, user, saved.params, session)
        result = engine.run(report, ctx)
        title = str(report.label)
        data = exports.xlsx_bytes(result, title)
        subject = _("Report: %(name)s", name=saved.name)
        text = _("The report “%(report)s” (%(name)s) is attached as an XLSX file.", report=title, name=saved.name)
        link = mail.external_url("reports.open_saved", saved_id=saved.id)
        if link:
            text += "\n\n" + link
    message = mail.build(user.email, subject, text)
    message.add_attachment(data, maintype=XLSX[0], subtype=XLSX[1], filename=f"{report.key.replace('.', '-')}.xlsx")
    mail.deliver(message)
    return True
