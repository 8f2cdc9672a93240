"""The record picker's suggestions: ``GET /-/pick/<entity key>?q=...`` answers the records the
user may see that ``q`` finds, ``{"results": [{"id": 5, "title": "..."}]}``, at most
links.SUGGESTIONS of them; with no ``q``, the newest. crmkit/static/picker.js asks it as the user
types in a link field's text box.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request

from crmkit.core.records import links


def suggestions(entity_key: str):
    entities = current_app.extensions["crmkit"].entities
    if entity_key not in entities:
        abort(404)
    records = links.records_for(entity_key)
    if not records.can("view"):
        abort(403)
    q = request.args.get("q", "").strip()[:200]
    found = links.matches(records, q) if q else links.newest(records)
    return jsonify(results=[{"id": record_id, "title": title} for record_id, title in found])


def add_to(bp: Blueprint) -> None:
    """On the records blueprint: the endpoint (``records.pick``), and ``link_fields(fields)`` for
    templates that show fields no view prepared (list filters, custom fields' groups)."""
    bp.add_url_rule("/-/pick/<entity_key>", "pick", suggestions)
    bp.add_app_template_global(links.fill_choices, "link_fields")
