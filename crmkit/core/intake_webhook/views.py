"""The webhook at /intake/webhook/<key>: listing portals and other systems post leads here.

Each sender has its own key (in the address) and secret (signing every delivery, signing.py).
The answer is 202 as soon as the lead is committed, with its id; a replay of the sender's id
answers the same id and makes nothing. No session and no CSRF token: the signature is the proof.
"""

from __future__ import annotations

import json

from flask import Blueprint, abort, current_app, jsonify, request
from limits import parse
from sqlalchemy import select, update

from crmkit import db, public
from crmkit.core.intake_webhook import payload, signing
from crmkit.core.intake_webhook.models import WebhookSender
from crmkit.core.leads.intake import receive
from crmkit.db import utcnow
from crmkit.entities.errors import Invalid
from crmkit.errors import json_error
from crmkit.i18n import gettext as _
from crmkit.json_input import MAX_DEPTH, deeper_than

DEFAULT_MAX_BYTES = 256 * 1024
DEFAULT_RATE_LIMIT = "600 per minute"

bp = Blueprint("intake_webhook", __name__, url_prefix="/intake/webhook")


def sender_or_404(key: str) -> WebhookSender:
    found = db.session().execute(select(WebhookSender).where(WebhookSender.key == key)).scalar_one_or_none()
    if found is None or not found.active or found.archived_at is not None:
        abort(404)
    return found


def over_limit(sender: WebhookSender) -> bool:
    limiter = current_app.extensions["crmkit.limiter"].limiter
    item = parse(str(current_app.config.get("INTAKE_WEBHOOK_RATE_LIMIT", DEFAULT_RATE_LIMIT)))
    prefix = str(current_app.config.get("RATELIMIT_KEY_PREFIX", "crmkit"))
    return not limiter.hit(item, prefix, "intake-webhook", sender.key)


def refused_signature(reason: str):
    if reason == "timestamp":
        message = _("The %(header)s header is missing, or more than five minutes away from our clock.",
                    header=signing.TIMESTAMP_HEADER)
        return json_error(401, message, {signing.TIMESTAMP_HEADER: [message]})
    message = _("The %(header)s header does not match the body signed with your secret.", header=signing.SIGNATURE_HEADER)
    return json_error(401, message, {signing.SIGNATURE_HEADER: [message]})


@bp.route("/<key>", methods=["POST"])
@public
def deliver(key: str):
    sender = sender_or_404(key)
    limit = int(current_app.config.get("INTAKE_WEBHOOK_MAX_BYTES", DEFAULT_MAX_BYTES))
    if request.content_length is not None and request.content_length > limit:
        return json_error(413, _("The body is larger than %(size)d KB.", size=limit // 1024))
    body = request.stream.read(limit + 1)
    if len(body) > limit:
        return json_error(413, _("The body is larger than %(size)d KB.", size=limit // 1024))
    reason = signing.problem(sender.secret, request.headers.get(signing.TIMESTAMP_HEADER),
                             request.headers.get(signing.SIGNATURE_HEADER), body)
    if reason is not None:
        return refused_signature(reason)
    if over_limit(sender):
        return json_error(429, _("Too many deliveries; slow down and retry in a minute."))
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        message = _("The body is not valid JSON in UTF-8.")
        return json_error(400, message, {"_body": [message]})
    if deeper_than(data, MAX_DEPTH):
        message = _("The JSON is nested more than %(depth)d levels deep.", depth=MAX_DEPTH)
        return json_error(400, message, {"_body": [message]})
    if not isinstance(data, dict):
        message = _("Send the lead as a JSON object.")
        return json_error(400, message, {"_body": [message]})
    try:
        lead, created = receive(payload.incoming(sender, data))
    except payload.Refused as error:
        db.session().rollback()
        return json_error(422, fields=error.errors)
    except Invalid as error:
        db.session().rollback()
        return json_error(422, fields=error.fields)
    if created:
        db.session().execute(update(WebhookSender).where(WebhookSender.id == sender.id).values(
            received_count=WebhookSender.received_count + 1, last_received_at=utcnow()))
    db.session().commit()
    return jsonify(status="accepted", lead_id=lead.id, created=created), 202
