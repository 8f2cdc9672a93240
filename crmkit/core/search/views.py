"""The search page: every entity the user may view, grouped, each hit linking to its record and
saying why it was found (``summary``: the matched field, the phone, the organisation)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from crmkit import search
from crmkit.core.search import summary

bp = Blueprint("search", __name__, template_folder="templates")
PER_ENTITY = 10
PER_ENTITY_ALONE = 50


@bp.route("/search")
def page():
    q = (request.args.get("q") or "").strip()
    key = request.args.get("entity")
    entities = current_app.extensions["crmkit"].entities
    if key and key not in entities:
        abort(404)
    entity = entities.get(key) if key else None
    groups = search.search(current_user, q, entity=entity, limit=PER_ENTITY_ALONE if entity else PER_ENTITY) if q else []
    shown = [(group, summary.hits(group.entity, group.records, q)) for group in groups]
    return render_template("search/results.html", q=q, entity=entity, groups=groups, shown=shown)
