"""/notifications: the page, the bell's count and dropdown, marking read; and the per-user
settings at /account/notifications."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from crmkit.core.notifications import service
from crmkit.core.notifications.kinds import known
from crmkit.i18n import gettext as _
from crmkit.redirects import local_url

bp = Blueprint("notifications", __name__, template_folder="templates", static_folder="static",
               static_url_path="/notifications/static")


@bp.route("/notifications/")
def page():
    before = request.args.get("before", "")
    unread_only = request.args.get("show") == "unread"
    found = service.page_of(current_user.id, int(before) if before.isdigit() else None, unread_only)
    return render_template(
        "notifications/page.html", page=found, unread_only=unread_only, first_page=not before,
        link_of=service.link_of, unread=service.unread_count(current_user.id),
    )


@bp.route("/notifications/count")
def count():
    """What the bell's script polls: ``{"unread": n}``, never cached."""
    response = jsonify(unread=service.unread_count(current_user.id))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/notifications/latest")
def latest():
    """The dropdown's content, a fragment the bell's script puts under the bell."""
    return render_template("notifications/latest.html", items=service.latest(current_user.id), link_of=service.link_of,
                           unread=service.unread_count(current_user.id))


@bp.route("/notifications/<int:notification_id>/open", methods=["POST"])
def open_one(notification_id: int):
    """Mark it read and go where it leads (back to the list when it leads nowhere)."""
    found = service.mark_read(current_user.id, notification_id)
    if found is None:
        abort(404)
    return redirect(service.link_of(found) or url_for("notifications.page"))


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
def read(notification_id: int):
    if service.mark_read(current_user.id, notification_id) is None:
        abort(404)
    return redirect(local_url(request.form.get("next"), url_for("notifications.page")))


@bp.route("/notifications/read-all", methods=["POST"])
def read_all():
    marked = service.mark_all_read(current_user.id)
    flash(_("All notifications are marked read.") if marked else _("There were no unread notifications."), "success")
    return redirect(local_url(request.form.get("next"), url_for("notifications.page")))


@bp.route("/account/notifications", methods=["GET", "POST"])
def settings():
    """Which kinds also come by email, and the daily digest."""
    kinds = list(known().values())
    if request.method == "POST":
        chosen = set(request.form.getlist("email"))
        service.save_preferences(current_user.id, {kind.key: kind.key in chosen for kind in kinds},
                                 request.form.get("digest") == "1")
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template(
        "notifications/settings.html", kinds=kinds,
        emailed={kind.key for kind in kinds if service.wants_email(current_user.id, kind)},
        digest=bool((found := service.preference(current_user.id)) and found.digest),
    )
