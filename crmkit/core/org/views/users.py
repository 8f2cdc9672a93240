"""Users: a paged list, create with a password that meets the policy, edit name, role,
department, manager, active state and password, reset a user's two-factor login."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crmkit import audit, db
from crmkit.core.access.models import Department, Role
from crmkit.core.auth import two_factor
from crmkit.core.auth.models import User
from crmkit.core.auth.policy import password_problem
from crmkit.core.auth.service import UserError, create_user
from crmkit.core.org.service import OrgError, apply_user_changes, role_label
from crmkit.core.org.views import bp, optional_int
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

PAGE_SIZE = 50


class UserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter an email address."))])
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"))
    department_id = SelectField(_l("Department"), coerce=optional_int)
    manager_id = SelectField(_l("Manager"), coerce=optional_int)
    is_active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("Password"))

    def fill_choices(self, session, user: User | None) -> None:
        self.role.choices = [(r.name, role_label(r)) for r in session.execute(select(Role).order_by(Role.name)).scalars()]
        none = [("", "—")]
        departments = session.execute(select(Department).order_by(Department.name)).scalars()
        self.department_id.choices = none + [(d.id, d.name) for d in departments]
        people = session.execute(select(User).order_by(User.email)).scalars()
        self.manager_id.choices = none + [(u.id, u.name or u.email) for u in people if user is None or u.id != user.id]


@bp.route("/users")
def users():
    session = db.session()
    after = request.args.get("after", "")
    statement = select(User).order_by(User.id)
    if after.isdigit():
        statement = statement.where(User.id > int(after))
    rows = list(session.execute(statement.limit(PAGE_SIZE + 1)).scalars())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    roles = {r.name: r for r in session.execute(select(Role)).scalars()}
    departments = {d.id: d for d in session.execute(select(Department)).scalars()}
    return render_template(
        "org/users.html", rows=rows, roles=roles, departments=departments,
        next_after=rows[-1].id if more else None, first_page=not after,
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    session = db.session()
    form = UserForm()
    form.fill_choices(session, None)
    if form.validate_on_submit():
        if problem := password_problem(form.password.data or "", form.email.data or "", form.name.data or ""):
            form.password.errors.append(problem)
        else:
            try:
                user = create_user(
                    session, form.email.data, form.password.data, name=form.name.data or "", role=form.role.data,
                    department_id=form.department_id.data, manager_id=form.manager_id.data, is_active=form.is_active.data,
                    must_change_password=True,  # a temporary password: the user chooses theirs at the first login
                )
            except UserError as error:
                form.email.errors.append(str(error))
            else:
                flash(_("User %(email)s created.", email=user.email), "success")
                return redirect(url_for("org.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("org/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    session = db.session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    form.fill_choices(session, user)
    del form.email  # the email is the login name; it is not edited here
    if form.validate_on_submit():
        values = {
            "name": form.name.data or "", "role": form.role.data, "department_id": form.department_id.data,
            "manager_id": form.manager_id.data, "is_active": form.is_active.data, "password": form.password.data,
        }
        try:
            changes = apply_user_changes(session, user, values)
        except OrgError as error:
            for name, message in error.fields.items():
                getattr(form, name).errors.append(message)
        else:
            if changes:
                audit.record("user_changed", target=user.email, changes=changes, commit=False)
            if values["password"]:
                user.must_change_password = True  # the admin knows it: the user chooses theirs at the next login
                audit.record("password_changed", target=user.email, commit=False)
            session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("org.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("org/user_form.html", form=form, user=user), status


@bp.route("/users/<int:user_id>/reset-two-factor", methods=["POST"])
def user_reset_two_factor(user_id: int):
    """For a user who lost both phone and recovery codes: 2FA off, they enrol again after logging in."""
    session = db.session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    two_factor.switch_off(session, user)
    audit.record("two_factor_reset", target=user.email, commit=False)
    session.commit()
    flash(_("Two-factor login of %(email)s is reset.", email=user.email), "success")
    return redirect(url_for("org.user_edit", user_id=user.id))
