"""Pages for people: the API's interactive docs and the page where users manage their tokens."""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user

from crmkit import db
from crmkit.core.api import openapi
from crmkit.core.api.tokens import create_token, revoke, tokens_of
from crmkit.i18n import gettext as _

OWN_ASSETS = Path(__file__).parent / "static"
tokens_bp = Blueprint("api_tokens", __name__, url_prefix="/account/tokens")


def add_docs_routes(bp: Blueprint) -> None:
    """``/api/v1/openapi.json``, ``/api/v1/docs`` and Swagger UI's files from its PyPI package."""
    bp.add_url_rule("/openapi.json", "openapi", openapi_json)
    bp.add_url_rule("/docs", "docs", docs_page)
    bp.add_url_rule("/docs/assets/<path:filename>", "docs_asset", docs_asset)


def openapi_json():
    return openapi.document()


def docs_page():
    return render_template("api/docs.html")


def docs_asset(filename: str):
    """Our own starter script, or a file of Swagger UI as the installed package ships it."""
    if not filename.endswith((".js", ".css", ".png")):
        abort(404)
    folder = OWN_ASSETS if (OWN_ASSETS / filename).is_file() else swagger_ui_bundle.swagger_ui_path
    return send_from_directory(folder, filename, max_age=3600)


@tokens_bp.route("/", methods=["GET", "POST"])
def tokens():
    """List the user's tokens; a POST makes a new one, shown on this answer and never again."""
    new_token = None
    status = 200
    if request.method == "POST":
        name = request.form.get("name", "").strip()
        if len(name) > 100:
            flash(_("The name is too long; at most %(n)d characters.", n=100), "error")
            status = 422
        else:
            _row, new_token = create_token(db.session(), current_user, name)
            status = 201
    response = render_template("api/tokens.html", tokens=tokens_of(db.session(), current_user), new_token=new_token)
    return response, status, {"Cache-Control": "no-store"}


@tokens_bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int):
    if not revoke(db.session(), current_user, token_id):
        abort(404)
    flash(_("The token is revoked; programs using it are refused from now on."), "success")
    return redirect(url_for("api_tokens.tokens"))
