"""The incoming-call page: type or pass a number (``/lookup?phone=...``), see who it is."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from crmkit.core.lookup import service
from crmkit.entities.service import Records

bp = Blueprint("lookup", __name__, template_folder="templates")


@bp.get("/lookup")
def page():
    raw = request.args.get("phone", "").strip()
    result, error, status = None, None, 200
    if raw:
        try:
            result = service.lookup(current_user, service.parse(raw))
        except ValueError as problem:
            error, status = str(problem), 422
    entities = current_app.extensions["crmkit"].entities
    activities = entities.get("activity") if "activity" in entities else None
    return render_template(
        "lookup/page.html",
        raw=raw,
        result=result,
        error=error,
        activities=activities,
        can_add_person=Records(entities.get("person"), current_user).can("create"),
        can_log_call=activities is not None and Records(activities, current_user).can("create"),
    ), status
