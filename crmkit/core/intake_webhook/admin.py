"""The admin pages of webhook senders under /admin/leads/webhooks (``leads.manage``): each sender
gets its own address and secret; an admin may show the secret, rotate it, pause or archive it."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.intake_webhook import signing
from crmkit.core.intake_webhook.models import WebhookSender, new_secret
from crmkit.core.leads import channels
from crmkit.core.leads.admin import PERMISSION
from crmkit.core.leads.models import Source
from crmkit.core.leads.sources import source_ids, source_name
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

LIST_LIMIT = 500

bp = Blueprint("intake_webhook_admin", __name__, url_prefix="/admin/leads/webhooks", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def sender_or_404(sender_id: int) -> WebhookSender:
    sender = db.session().get(WebhookSender, sender_id)
    if sender is None:
        abort(404)
    return sender


def checked() -> tuple[dict, dict[str, list[str]]]:
    """The sender's values from the posted form, and a message per bad field."""
    errors: dict[str, list[str]] = {}
    name = (request.form.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Give the sender a name of up to 200 characters.")]
    raw_source = request.form.get("source_id") or ""
    source_id = int(raw_source) if raw_source.isdigit() else None
    if raw_source and (source_id is None or db.session().get(Source, source_id) is None):
        errors["source_id"] = [_("Choose a source from the list.")]
    return {"name": name, "source_id": source_id, "active": request.form.get("active") == "on"}, errors


def page(errors=None, status=200):
    senders = list(db.session().execute(select(WebhookSender).order_by(
        WebhookSender.archived_at.is_not(None), WebhookSender.name).limit(LIST_LIMIT)).scalars())
    return render_template(
        "intake_webhook/admin.html", senders=senders, errors=errors or {}, typed=request.form if errors else {},
        tabs=channels.settings_tabs(), sources=[(i, source_name(i)) for i in source_ids()], source_name=source_name,
        signature_header=signing.SIGNATURE_HEADER, timestamp_header=signing.TIMESTAMP_HEADER,
        shown=request.args.get("secret", type=int),
    ), status


@bp.route("/")
def index():
    return page()


@bp.route("/", methods=["POST"])
def create():
    values, errors = checked()
    if errors:
        return page(errors, 422)
    sender = WebhookSender(**values)
    db.session().add(sender)
    db.session().commit()
    flash(_("Sender “%(name)s” added: give it the address and the secret below.", name=sender.name), "success")
    return redirect(url_for("intake_webhook_admin.index", secret=sender.id) + f"#sender-{sender.id}")


@bp.route("/<int:sender_id>", methods=["POST"])
def update(sender_id: int):
    sender = sender_or_404(sender_id)
    action = request.form.get("action", "save")
    if action == "rotate":
        sender.secret = new_secret()
        flash(_("A new secret for “%(name)s”: the old one no longer signs deliveries.", name=sender.name), "success")
    elif action in ("archive", "restore"):
        sender.archived_at = utcnow() if action == "archive" else None
        flash(_("Sender archived: its deliveries are refused.") if action == "archive" else _("Sender restored."), "success")
    else:
        values, errors = checked()
        if errors:
            return page(errors, 422)
        for key, value in values.items():
            setattr(sender, key, value)
        flash(_("Sender saved."), "success")
    db.session().commit()
    shown = sender.id if action == "rotate" else None
    return redirect(url_for("intake_webhook_admin.index", secret=shown) + f"#sender-{sender.id}")
