"""The plugins page: what is installed, what is enabled, and switches for admins."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from crmkit.core.access.policy import requiring
from crmkit.core.admin import service
from crmkit.i18n import gettext as _
from crmkit.migrate import MigrationError

bp = Blueprint("admin", __name__, url_prefix="/admin")


bp.before_request(requiring("core.manage_plugins"))


@bp.route("/plugins")
def plugins():
    return render_template("admin/plugins.html", rows=service.plugin_rows(current_app))


@bp.route("/plugins.json")
def plugins_json():
    return jsonify(plugins=[row.as_dict() for row in service.plugin_rows(current_app)])


@bp.route("/plugins/<name>", methods=["POST"])
def switch(name: str):
    action = request.form.get("action")
    try:
        if action == "enable":
            service.enable(current_app, name)
            flash(_("Plugin %(name)s is enabled and its tables are ready. Restart crmkit to load it.", name=name), "success")
        elif action == "disable":
            service.disable(current_app, name)
            flash(_("Plugin %(name)s is disabled; its data is kept. Restart crmkit to unload it.", name=name), "success")
        else:
            abort(400)
    except (service.PluginAdminError, MigrationError) as exc:
        flash(str(exc), "error")
    return redirect(url_for("admin.plugins"))
