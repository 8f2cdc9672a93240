"""The home page, the health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from crmkit import db, public
from crmkit.redirects import local_url

bp = Blueprint("home", __name__)


@bp.route("/")
def index():
    pm = current_app.extensions["crmkit"].pm
    widgets = sorted(
        (w for found in pm.hook.dashboard_widgets(user=current_user) for w in found or []),
        key=lambda w: w.order,
    )
    return render_template("home/index.html", widgets=widgets)


@bp.route("/-/health")
@public
def health():
    """For load balancers: 200 when this worker can reach its database, 503 otherwise."""
    try:
        with db.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        current_app.logger.warning("health check failed: %s", exc)
        return jsonify(status="error", database="unreachable"), 503
    return jsonify(status="ok", database="ok")


@bp.route("/-/language", methods=["POST"])
@public
def language():
    """Remember the chosen language for this browser, and on the user's profile when logged in."""
    code = request.form.get("language", "")
    if code not in current_app.config["LANGUAGES"]:
        abort(400)
    session["locale"] = code
    if current_user.is_authenticated:
        current_user.locale = code
        db.session().add(current_user)
        db.session().commit()
    return redirect(local_url(request.form.get("next"), url_for("home.index")))
