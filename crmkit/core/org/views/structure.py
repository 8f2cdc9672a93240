"""Offices and departments: a tree of departments per office, each with a head."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department, Office
from crmkit.core.auth.models import User
from crmkit.core.org.service import (
    OrgError,
    department_tree,
    save_department,
    save_office,
)
from crmkit.core.org.views import bp, optional_int
from crmkit.i18n import gettext as _


def choices(session):
    return {
        "offices": list(session.execute(select(Office).order_by(Office.name)).scalars()),
        "departments": list(session.execute(select(Department).order_by(Department.name)).scalars()),
        "users": list(session.execute(select(User).where(User.is_active).order_by(User.email)).scalars()),
    }


def links(form) -> dict:
    try:
        return {name: optional_int(form.get(name)) for name in ("office_id", "parent_id", "head_id")}
    except ValueError:
        abort(400)


@bp.route("/org", methods=["GET", "POST"])
def structure():
    """The tree, with forms to add an office and a department."""
    session = db.session()
    errors: dict[str, dict[str, str]] = {"office": {}, "department": {}}
    status = 200
    if request.method == "POST":
        form = request.form
        try:
            if form.get("kind") == "office":
                save_office(session, None, form.get("name", ""), form.get("address", ""), form.get("timezone", "").strip())
            elif form.get("kind") == "department":
                save_department(session, None, form.get("name", ""), **links(form))
            else:
                abort(400)
        except OrgError as error:
            session.rollback()
            errors[form["kind"]], status = error.fields, 422
        else:
            session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.structure"))
    heads = select(Department.head_id).where(Department.head_id.is_not(None))
    users = {u.id: u for u in session.execute(select(User).where(User.id.in_(heads))).scalars()}
    return render_template(
        "org/structure.html", tree=department_tree(session), people=users, errors=errors, form=request.form, **choices(session)
    ), status


@bp.route("/org/offices/<int:office_id>", methods=["GET", "POST"])
def office_edit(office_id: int):
    session = db.session()
    office = session.get(Office, office_id) or abort(404)
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        try:
            save_office(session, office, form.get("name", ""), form.get("address", ""), form.get("timezone", "").strip())
        except OrgError as error:
            session.rollback()
            errors, status = error.fields, 422
        else:
            session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.structure"))
    return render_template("org/office_form.html", office=office, errors=errors), status


@bp.route("/org/departments/<int:department_id>", methods=["GET", "POST"])
def department_edit(department_id: int):
    session = db.session()
    department = session.get(Department, department_id) or abort(404)
    errors, status = {}, 200
    if request.method == "POST":
        form = request.form
        try:
            save_department(session, department, form.get("name", ""), **links(form))
        except OrgError as error:
            session.rollback()
            errors, status = error.fields, 422
        else:
            session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("org.structure"))
    return render_template("org/department_form.html", department=department, errors=errors, **choices(session)), status
