"""The webhooks page, for admins: add, switch off, remove, and see recent deliveries."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from crmkit import db
from crmkit.core.access.policy import requiring
from crmkit.core.webhooks import service
from crmkit.core.webhooks.models import EVENTS, Webhook
from crmkit.i18n import gettext as _

bp = Blueprint("webhooks", __name__, url_prefix="/admin/webhooks")


bp.before_request(requiring("core.manage_webhooks"))


def webhook_or_404(webhook_id: int) -> Webhook:
    webhook = db.session().get(Webhook, webhook_id)
    if webhook is None:
        abort(404)
    return webhook


@bp.route("/")
def index():
    session = db.session()
    return render_template(
        "webhooks/index.html",
        webhooks=service.list_webhooks(session),
        deliveries=service.recent_deliveries(session),
        entities=list(current_app.extensions["crmkit"].entities),
        events=EVENTS,
    )


@bp.route("/", methods=["POST"])
def add():
    try:
        webhook = service.add_webhook(
            db.session(),
            request.form.get("url", ""),
            entity=request.form.get("entity") or "*",
            events=request.form.getlist("events") or ["*"],
            user=current_user,
        )
    except service.WebhookError as error:
        flash(str(error), "error")
        return redirect(url_for("webhooks.index"))
    flash(
        _(
            "Webhook %(id)d added. Its secret, shown only now: %(secret)s",
            id=webhook.id,
            secret=webhook.secret,
        ),
        "success",
    )
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/active", methods=["POST"])
def switch(webhook_id: int):
    active = request.form.get("active") == "1"
    service.set_active(db.session(), webhook_or_404(webhook_id), active)
    flash(_("Webhook %(id)d is on.", id=webhook_id) if active else _("Webhook %(id)d is off.", id=webhook_id), "success")
    return redirect(url_for("webhooks.index"))


@bp.route("/<int:webhook_id>/remove", methods=["POST"])
def remove(webhook_id: int):
    service.remove_webhook(db.session(), webhook_or_404(webhook_id))
    flash(_("Webhook %(id)d removed with its deliveries.", id=webhook_id), "success")
    return redirect(url_for("webhooks.index"))
