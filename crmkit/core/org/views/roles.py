"""Roles: a label, permission patterns chosen from the registered permissions (with wildcards),
and a visibility level per entity."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crmkit import audit, db
from crmkit.core.access.models import VISIBILITY_LEVELS, Role
from crmkit.core.org.service import BUILT_IN_ROLES, OrgError, pattern_labels, permission_choices, role_label, save_role
from crmkit.core.org.views import bp
from crmkit.i18n import gettext as _


def level_labels() -> dict[str, str]:
    return {
        "own": _("Own records"),
        "subordinates": _("Own and subordinates' records"),
        "department": _("The department's records"),
        "all": _("All records"),
    }


@bp.route("/roles")
def roles():
    rows = list(db.session().execute(select(Role).order_by(Role.name)).scalars())
    state = current_app.extensions["crmkit"]
    return render_template(
        "org/roles.html", rows=rows, levels=level_labels(),
        pattern_labels=pattern_labels(permission_choices(state.permissions, list(state.entities))),
        entity_labels={entity.key: entity.label_plural for entity in state.entities},
    )


@bp.route("/roles/new", methods=["GET", "POST"])
def role_new():
    return role_form(None)


@bp.route("/roles/<name>", methods=["GET", "POST"])
def role_edit(name: str):
    role = db.session().get(Role, name)
    if role is None:
        abort(404)
    return role_form(role)


def role_form(role: Role | None):
    state = current_app.extensions["crmkit"]
    entities = list(state.entities)
    groups = permission_choices(state.permissions, entities)
    allowed = {choice.pattern for group in groups.values() for choice in group}
    entity_labels = {entity.key: entity.label_plural for entity in entities}
    values = {
        "name": role.name if role else "",
        "label": role.label if role else "",
        "permissions": list(role.permissions) if role else [],
        "visibility": dict(role.visibility) if role else {"*": "own"},
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = request.form
        visibility = {"*": form.get("visibility:*", "")}
        visibility |= {key: form[f"visibility:{key}"] for key in entity_labels if form.get(f"visibility:{key}")}
        values = {
            "name": role.name if role else form.get("name", "").strip(),
            "label": form.get("label", ""),
            "permissions": form.getlist("permissions"),
            "visibility": visibility,
        }
        session = db.session()
        label = values["label"]
        if role is not None and label.strip() == role_label(role) and role.name in BUILT_IN_ROLES:
            label = role.label  # the translated built-in label left as shown: keep it translatable
        try:
            saved, changes = save_role(
                session, role, values["name"], label, values["permissions"], visibility,
                allowed, set(entity_labels), current_user,
            )
        except OrgError as error:
            errors, status = error.fields, 422
        else:
            if changes:
                audit.record("role_changed", role=saved.name, created=role is None, changes=changes, commit=False)
            session.commit()
            flash(_("Role %(name)s saved.", name=role_label(saved)), "success")
            return redirect(url_for("org.roles"))
    kept = [p for p in values["permissions"] if p not in allowed]
    return render_template(
        "org/role_form.html", role=role, values=values, errors=errors, groups=groups, kept=kept,
        entity_labels=entity_labels, levels=VISIBILITY_LEVELS, level_labels=level_labels(),
    ), status
