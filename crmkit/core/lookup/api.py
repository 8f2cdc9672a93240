"""``GET /api/v1/lookup?phone=...``: who is calling, for telephony and other programs.

It is part of the REST API: the same authentication (a bearer token or a logged-in session,
``crmkit.core.api.views.authenticate``) and the same error format (``crmkit.errors.json_error``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, request, url_for
from flask_login import current_user

from crmkit.core.api.views import API_PREFIX, authenticate, record_error
from crmkit.core.lookup import service
from crmkit.entities.errors import RecordError
from crmkit.errors import json_error
from crmkit.i18n import gettext as _

bp = Blueprint("lookup_api", __name__, url_prefix=API_PREFIX)
bp.before_request(authenticate)
bp.register_error_handler(RecordError, record_error)


def record_url(entity_key: str, record_id: int) -> str:
    prefix = current_app.extensions["crmkit"].entities.get(entity_key).endpoint_prefix
    return url_for(f"records.{prefix}_detail", record_id=record_id, _external=True)


@bp.get("/lookup")
def lookup():
    raw = request.args.get("phone", "").strip()
    if not raw:
        message = _("Missing data for required field.")
        return json_error(400, _("Say which phone number to look up."), {"phone": [message]})
    try:
        e164 = service.parse(raw)
    except ValueError as error:
        return json_error(422, _("Some fields are not valid."), {"phone": [str(error)]})
    return service.as_json(service.lookup(current_user, e164), record_url)
