"""The mailboxes page, for admins: add and edit mailboxes, test the connection, poll now, and
see what recent messages became. Requires ``intake_mail.manage``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from crmkit import db, jobs
from crmkit.core.access.policy import requiring
from crmkit.core.intake_mail import polling
from crmkit.core.intake_mail.forms import DONE_LABELS, SECURITY_LABELS, MailboxForm
from crmkit.core.intake_mail.imap import MailboxError
from crmkit.core.intake_mail.models import Mailbox, MailMessage
from crmkit.db import MAX_ID, utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "intake_mail.manage"
POLL_JOB = "core.intake_mail.poll_now"
PAGE_SIZE = 50
MAILBOX_LIMIT = 200
OUTCOME_LABELS = {
    "lead": _l("new lead"),
    "existing": _l("lead already made"),
    "reply": _l("on a lead's timeline"),
    "skipped": _l("skipped"),
    "sent": _l("sent"),
}

bp = Blueprint("intake_mail", __name__, url_prefix="/admin/lead-mailboxes", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def mailbox_or_404(mailbox_id: int) -> Mailbox:
    mailbox = db.session().get(Mailbox, mailbox_id) if mailbox_id <= MAX_ID else None
    if mailbox is None:
        abort(404)
    return mailbox


@bp.route("/")
def index():
    session = db.session()
    mailboxes = list(session.execute(select(Mailbox).order_by(Mailbox.name, Mailbox.id).limit(MAILBOX_LIMIT)).scalars())
    statement = select(MailMessage).where(MailMessage.mailbox_id.is_not(None)).order_by(MailMessage.id.desc())
    before = request.args.get("before", "")
    if before.isdigit() and int(before) <= MAX_ID:
        statement = statement.where(MailMessage.id < int(before))
    messages = list(session.execute(statement.limit(PAGE_SIZE + 1)).scalars())
    older = messages[PAGE_SIZE - 1].id if len(messages) > PAGE_SIZE else None
    return render_template("intake_mail/index.html", mailboxes=mailboxes, messages=messages[:PAGE_SIZE], older=older,
                           names={m.id: m.name for m in mailboxes}, outcomes=OUTCOME_LABELS)


def form_page(form: MailboxForm, mailbox: Mailbox | None, status: int = 200):
    return render_template("intake_mail/form.html", form=form, mailbox=mailbox, security=SECURITY_LABELS,
                           done=DONE_LABELS), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = MailboxForm()
    if request.method == "GET":
        return form_page(form, None)
    if not form.validate():
        return form_page(form, None, 422)
    mailbox = form.apply_to(Mailbox(name="", host="", username=""))
    session = db.session()
    session.add(mailbox)
    session.commit()
    flash(_("Mailbox “%(name)s” added.", name=mailbox.name), "success")
    return after_save(mailbox)


@bp.route("/<int:mailbox_id>", methods=["GET", "POST"])
def edit(mailbox_id: int):
    mailbox = mailbox_or_404(mailbox_id)
    if request.method == "GET":
        form = MailboxForm(obj=mailbox, mailbox=mailbox)
        form.password.data = ""
        form.version.data = str(mailbox.version)
        return form_page(form, mailbox)
    form = MailboxForm(mailbox=mailbox)
    if not form.validate():
        return form_page(form, mailbox, 422)
    if form.stale(mailbox):
        flash(_("Someone changed this mailbox while you were editing it. Its saved settings are shown; make your change again."), "error")
        fresh = MailboxForm(formdata=None, obj=mailbox, mailbox=mailbox)
        fresh.version.data = str(mailbox.version)
        return form_page(fresh, mailbox, 409)
    form.apply_to(mailbox)
    session = db.session()
    changed = session.execute(
        update(Mailbox).where(Mailbox.id == mailbox.id, Mailbox.version == mailbox.version)
        .values(version=Mailbox.version + 1, updated_at=utcnow())
    ).rowcount
    if not changed:
        session.rollback()
        abort(409)
    session.commit()
    flash(_("Mailbox “%(name)s” saved.", name=mailbox.name), "success")
    return after_save(mailbox)


def after_save(mailbox: Mailbox):
    if request.form.get("action") == "test":
        test_and_flash(mailbox)
        return redirect(url_for("intake_mail.edit", mailbox_id=mailbox.id))
    return redirect(url_for("intake_mail.index"))


def test_and_flash(mailbox: Mailbox) -> bool:
    try:
        flash(polling.check(mailbox), "success")
    except MailboxError as error:
        flash(_("The connection test failed: %(reason)s", reason=str(error)), "error")
        return False
    return True


@bp.route("/<int:mailbox_id>/test", methods=["POST"])
def test(mailbox_id: int):
    test_and_flash(mailbox_or_404(mailbox_id))
    return redirect(url_for("intake_mail.index"))


@bp.route("/<int:mailbox_id>/poll", methods=["POST"])
def poll(mailbox_id: int):
    mailbox = mailbox_or_404(mailbox_id)
    jobs.enqueue(POLL_JOB, mailbox.id, user=None)
    flash(_("Checking “%(name)s” for new messages; the result shows here once done.", name=mailbox.name), "success")
    return redirect(url_for("intake_mail.index"))


@bp.route("/<int:mailbox_id>/remove", methods=["POST"])
def remove(mailbox_id: int):
    """Remove the mailbox; the rows of its messages stay (without it), so answers to them still
    find their leads."""
    mailbox = mailbox_or_404(mailbox_id)
    session = db.session()
    session.execute(update(MailMessage).where(MailMessage.mailbox_id == mailbox.id).values(mailbox_id=None))
    session.delete(mailbox)
    session.commit()
    flash(_("Mailbox “%(name)s” removed; the leads it brought stay.", name=mailbox.name), "success")
    return redirect(url_for("intake_mail.index"))
