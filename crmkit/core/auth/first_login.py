"""The first login with a password someone else chose: the user sets a real email and a new password.

`crmkit init`/`serve` create the first admin as admin@example.com with a one-time password, and an
admin types a temporary password for a new user; both set ``User.must_change_password``. Until the
user has chosen their own password (and, when their address is a placeholder, a real one), a browser
session opens only this page, logout and the language switch. API tokens are not held up: their
owner chose to create them.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, ValidationError

from crmkit import audit, db
from crmkit.core.auth import sessions
from crmkit.core.auth.models import normalise_email
from crmkit.core.auth.policy import password_problem
from crmkit.core.auth.service import find_user
from crmkit.core.auth.views import bp
from crmkit.errors import json_error
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

# Domains that reach no one (RFC 2606 and 6761); email-validator refuses the special-use ones itself.
PLACEHOLDER_DOMAINS = ("example", "example.com", "example.org", "example.net", "test", "invalid", "localhost", "local")
OPEN_ENDPOINTS = ("auth.first_login", "auth.logout", "home.language", "static")


def placeholder_email(email: str) -> bool:
    """Whether the address is one that reaches no one (admin@example.com, x@host.test, root@localhost)."""
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    return any(domain == name or domain.endswith("." + name) for name in PLACEHOLDER_DOMAINS)


class FirstLoginForm(FlaskForm):
    email = EmailField(_l("Your email address"), validators=[DataRequired(_l("Enter your email address."))],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("New password"), validators=[DataRequired(_l("Enter a new password."))],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("New password again"), validators=[DataRequired(_l("Enter the new password again."))],
                            render_kw={"autocomplete": "new-password"})

    def validate_email(self, field):
        typed = (field.data or "").strip()
        if placeholder_email(typed):
            raise ValidationError(_("This address reaches no one; enter the one you read your mail at."))
        try:
            field.data = normalise_email(validate_email(typed, check_deliverability=False).normalized)
        except EmailNotValidError:
            raise ValidationError(_("Enter a valid email address.")) from None
        other = find_user(db.session(), field.data)
        if other is not None and other.id != current_user.id:
            raise ValidationError(_("A user with this email already exists."))

    def validate_password(self, field):
        if current_user.check_password(field.data or ""):
            raise ValidationError(_("Choose a password other than the one you were given."))
        if problem := password_problem(field.data or "", self.email.data or current_user.email, current_user.name):
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_("The two passwords differ."))


@bp.route("/login/first", methods=["GET", "POST"])
def first_login():
    """Choose a real email address and a password of one's own; other sessions of the user end."""
    if not current_user.must_change_password:
        return redirect(url_for("home.index"))
    form = FirstLoginForm(data={"email": "" if placeholder_email(current_user.email) else current_user.email})
    if form.validate_on_submit():
        session, user = db.session(), current_user._get_current_object()
        changes = {"email": [user.email, form.email.data]} if form.email.data != user.email else {}
        user.email = form.email.data
        user.set_password(form.password.data)
        user.must_change_password = False
        session.add(user)
        current = sessions.current()
        sessions.end_all(session, user.id, keep_id=current.id if current else None)
        if changes:
            audit.record("user_changed", target=user.email, changes=changes, commit=False)
        audit.record("password_changed", target=user.email, commit=False)
        session.commit()
        flash(_("Your email address and password are set."), "success")
        return redirect(url_for("home.index"))
    return render_template("auth/first_login.html", form=form), 400 if request.method == "POST" else 200


def require_own_password():
    """Run before every request: a browser session of a user who must change the password opens
    only the first-login page, logout and the language switch."""
    if not current_user.is_authenticated or not current_user.must_change_password or sessions.current() is None:
        return None
    endpoint = request.endpoint or ""
    if endpoint in OPEN_ENDPOINTS or endpoint.endswith(".static"):
        return None
    if request.path.startswith("/api/"):
        return json_error(403, _("Choose your own password first: log in in a browser."))
    return redirect(url_for("auth.first_login"))
