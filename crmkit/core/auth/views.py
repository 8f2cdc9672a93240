"""Logging in and out. Every other page requires a login unless its view is marked public."""

from __future__ import annotations

import time

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired

from crmkit import audit, db, public
from crmkit.core.auth import sessions, throttle, two_factor
from crmkit.core.auth.models import User, check_no_password
from crmkit.core.auth.service import find_user
from crmkit.db import utcnow
from crmkit.errors import json_error
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.redirects import local_url

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[DataRequired(_l("Enter the code."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True},
    )


# After a right password, a user with two-factor login is only "pending" (in the signed cookie,
# not logged in: no page or API opens for them) until a right code, for at most this long.
PENDING_SECONDS = 300


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(local_url(request.args.get("next"), url_for("home.index")))
    form = LoginForm()
    if form.validate_on_submit():
        if throttle.login_blocked(form.email.data or ""):
            audit.record("login_failed", email=form.email.data, reason="throttled")
            abort(429)
        user = find_user(db.session(), form.email.data or "")
        # Always check a password, so how long a refusal takes never tells whether the email exists.
        password = form.password.data or ""
        password_ok = user.check_password(password) if user else check_no_password(password)
        if user and user.is_active and password_ok:
            if user.has_two_factor:
                cookie["crmkit_pending_login"] = {"user": user.id, "at": int(time.time()), "next": request.args.get("next")}
                return redirect(url_for("auth.login_code"))
            return complete_login(user, request.args.get("next"))
        current_app.logger.info("failed login for %r from %s", form.email.data, request.remote_addr)
        throttle.login_failed(form.email.data or "")
        audit.record("login_failed", user=user, email=form.email.data)
        form.password.errors.append(_("Wrong email or password."))
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/logout", methods=["POST"])
def logout():
    audit.record("logout")
    sessions.end_current()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def complete_login(user: User, next_url: str | None):
    """Password (and code, when on) are right: a new session for this browser."""
    user.last_login_at = utcnow()
    db.session().add(user)
    audit.record("login", user=user, commit=False)
    db.session().commit()
    cookie.pop("crmkit_pending_login", None)
    sessions.start(user)
    return redirect(local_url(next_url, url_for("home.index")))


def pending_user() -> User | None:
    """The user who gave the right password and owes a code, while the pending state lasts."""
    pending = cookie.get("crmkit_pending_login")
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session().get(User, pending.get("user"))
    return user if user is not None and user.is_active and user.has_two_factor else None


@bp.route("/login/code", methods=["GET", "POST"])
@public
def login_code():
    """The second step of a two-factor login: a TOTP code or a recovery code, throttled like passwords."""
    user = pending_user()
    if user is None:
        cookie.pop("crmkit_pending_login", None)
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if throttle.login_blocked(user.email):
            audit.record("login_failed", user=user, email=user.email, reason="throttled")
            abort(429)
        used = two_factor.verify(db.session(), user, form.code.data or "")
        if used:
            return complete_login(user, cookie["crmkit_pending_login"].get("next"))
        db.session().rollback()
        throttle.login_failed(user.email)
        audit.record("login_failed", user=user, email=user.email, reason="second factor")
        form.code.errors.append(_("Wrong code; try the current one from your app."))
    return render_template("auth/login_code.html", form=form), 400 if request.method == "POST" else 200


def require_login():
    """Run before every request: default-deny for everything not marked public."""
    if current_user.is_authenticated or request.endpoint is None:
        return None
    view = current_app.view_functions.get(request.endpoint)
    is_static = request.endpoint == "static" or request.endpoint.endswith(".static")
    if is_static or getattr(view, "crmkit_public", False):
        return None
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def require_two_factor_enrolment():
    """With CRMKIT_REQUIRE_2FA_FOR_ADMINS on, an admin without 2FA may only enrol or log out."""
    if not current_user.is_authenticated or not two_factor.required_for(current_user):
        return None
    if current_user.must_change_password and sessions.current() is not None:
        return None  # crmkit.core.auth.first_login comes first
    allowed = ("account.two_factor", "account.two_factor_start", "account.two_factor_confirm", "auth.logout")
    if request.endpoint in allowed or request.endpoint == "static" or (request.endpoint or "").endswith(".static"):
        return None
    if request.path.startswith("/api/"):
        return json_error(403, _("Set up two-factor login on your account page first."))
    flash(_("Set up two-factor login before you go on: this deployment requires it for administrators."), "info")
    return redirect(url_for("account.two_factor"))
