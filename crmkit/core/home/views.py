"""The home page, the health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from crmkit import db, public
from crmkit.core.home import dashboard
from crmkit.redirects import local_url

bp = Blueprint("home", __name__, template_folder="templates", static_folder="static", static_url_path="/home-static")


@bp.route("/")
def index():
    widgets = dashboard.available(current_user)
    shown = dashboard.shown(current_user, widgets)
    keys = {w.key for w in shown}
    addable = [w for w in widgets if w.key and w.key not in keys]
    arranged = [w.key for w in shown if w.key]
    return render_template("home/index.html", widgets=shown, addable=addable, arranged=arranged,
                           customised=dashboard.chosen(current_user) is not None)


@bp.route("/home/widgets", methods=["POST"])
def arrange():
    """Pin, unpin or move a widget of the user's home page, or go back to the defaults."""
    action, key = request.form.get("action", ""), request.form.get("key", "")
    if action not in ("pin", "unpin", "up", "down", "reset"):
        abort(400)
    if not dashboard.arrange(current_user, action, key, dashboard.available(current_user)):
        abort(400)
    return redirect(url_for("home.index") + (f"#w-{key}" if action in ("pin", "up", "down") else ""))


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
