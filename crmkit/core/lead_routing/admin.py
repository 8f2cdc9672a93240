"""/admin/lead_routing: the assignment rules in order, the fallback user and each channel's
response deadline; a rule's own page with its conditions and strategy. Needs
``lead_routing.manage`` (admins). Plain forms with CSRF; a bad form saves nothing and comes back
with what was typed and a message per field (422)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.access.policy import requiring
from crmkit.core.auth.models import User
from crmkit.core.lead_routing import conditions, setup
from crmkit.core.lead_routing.engine import settings as stored_settings
from crmkit.core.lead_routing.models import Rule
from crmkit.core.leads.channels import declared
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PERMISSION = "lead_routing.manage"
USERS_SHOWN = 500
STRATEGY_LABELS = {
    "user": _l("A named user"),
    "round_robin": _l("Round robin within a team"),
    "least_loaded": _l("The least loaded agent of a team (fewest open leads)"),
}

bp = Blueprint("lead_routing_admin", __name__, url_prefix="/admin/lead_routing", template_folder="templates")
bp.before_request(requiring(PERMISSION))


def choices() -> dict[str, Any]:
    session = db.session()
    users = session.execute(select(User.id, User.name, User.email).where(User.is_active.is_(True))
                            .order_by(User.name, User.email).limit(USERS_SHOWN)).all()
    departments = session.execute(select(Department.id, Department.name).order_by(Department.name).limit(USERS_SHOWN)).all()
    return {"users": users, "departments": departments, "strategy_labels": STRATEGY_LABELS}


def index_page(errors: dict | None = None, status: int = 200):
    session = db.session()
    if errors:
        session.rollback()
    known = conditions.available()
    channels = declared()
    names = {u.id: u.name or u.email for u in choices()["users"]}
    return render_template(
        "lead_routing/admin_index.html", rules=setup.rules(session), known=known, described=conditions.described,
        settings=stored_settings(session), deadlines=setup.current_deadlines(session), channels=channels,
        names=names, department_names=dict(choices()["departments"]), errors=errors or {},
        typed=request.form if errors else {}, **choices(),
    ), status


def rule_page(rule: Rule | None, errors: dict | None = None, status: int = 200):
    if errors:
        db.session().rollback()
    known = conditions.available()
    return render_template("lead_routing/admin_rule.html", rule=rule, known=known, errors=errors or {},
                           typed=request.form if errors else None, **choices()), status


def rule_or_404(rule_id: int) -> Rule:
    found = db.session().get(Rule, rule_id)
    if found is None:
        abort(404)
    return found


@bp.route("/")
def index():
    return index_page()


@bp.route("/settings", methods=["POST"])
def save_settings():
    try:
        setup.save_settings(db.session(), request.form, list(declared()), current_user)
    except setup.SetupError as error:
        return index_page(error.errors, 422)
    flash(_("Fallback and response deadlines saved."), "success")
    return redirect(url_for("lead_routing_admin.index"))


@bp.route("/rules/new", methods=["GET", "POST"])
def new_rule():
    if request.method == "GET":
        return rule_page(None)
    try:
        setup.save_rule(db.session(), None, request.form, conditions.available(), current_user)
    except setup.SetupError as error:
        return rule_page(None, error.errors, 422)
    flash(_("Rule added at the end of the list."), "success")
    return redirect(url_for("lead_routing_admin.index"))


@bp.route("/rules/<int:rule_id>", methods=["GET", "POST"])
def rule(rule_id: int):
    found = rule_or_404(rule_id)
    if request.method == "GET":
        return rule_page(found)
    try:
        setup.save_rule(db.session(), found, request.form, conditions.available(), current_user)
    except setup.SetupError as error:
        return rule_page(found, error.errors, 422)
    flash(_("Rule saved."), "success")
    return redirect(url_for("lead_routing_admin.index"))


@bp.route("/rules/<int:rule_id>/move", methods=["POST"])
def move(rule_id: int):
    setup.move_rule(db.session(), rule_or_404(rule_id), request.form.get("direction", "up"))
    return redirect(url_for("lead_routing_admin.index"))


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
def delete(rule_id: int):
    setup.delete_rule(db.session(), rule_or_404(rule_id), current_user)
    flash(_("Rule deleted."), "success")
    return redirect(url_for("lead_routing_admin.index"))
