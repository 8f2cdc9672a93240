""""Why can this user see this record?": the rule from Access.explain and what the user may do."""

from __future__ import annotations

from flask import current_app, render_template, request

from crmkit import db
from crmkit.core.auth.service import find_user
from crmkit.core.org.service import explain as explain_access
from crmkit.core.org.views import bp
from crmkit.i18n import gettext as _


def ability_labels() -> dict[str, str]:
    return {"view": _("View"), "edit": _("Edit"), "archive": _("Archive"), "export": _("Export")}


@bp.route("/explain")
def explain():
    args = request.args
    entities = current_app.extensions["crmkit"].entities
    errors: dict[str, str] = {}
    result = None
    if args:
        session = db.session()
        user = find_user(session, args.get("user", ""))
        if user is None:
            errors["user"] = _("No such user.")
        entity = next((e for e in entities if e.key == args.get("entity")), None)
        if entity is None:
            errors["entity"] = _("Choose an entity.")
        record_id = args.get("record", "")
        record = session.get(entity.model, int(record_id)) if entity and record_id.isdigit() else None
        if entity is not None and record is None:
            errors["record"] = _("No such record.")
        if not errors:
            result = explain_access(session, user, entity, record)
    return render_template(
        "org/explain.html", entities=list(entities), args=args, errors=errors, result=result, abilities=ability_labels()
    ), 404 if errors.get("record") or errors.get("user") else 200
