"""``GET /inventory/suggest?q=...``: the items a user sees that the typed text finds, for the
"About objects" field's suggestions (static/inventory.js)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user, login_required

from crmkit.core.inventory import picking

bp = Blueprint("inventory", __name__, url_prefix="/inventory", static_folder="static", template_folder="templates")


@bp.get("/suggest")
@login_required
def suggest():
    text = request.args.get("q", "").strip()[:200]
    return jsonify(results=picking.suggestions(text, current_user._get_current_object()))
