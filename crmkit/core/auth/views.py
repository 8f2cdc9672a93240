"""Logging in and out. Every other page requires a login unless its view is marked public."""

from __future__ import annotations

from urllib.parse import urlsplit

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
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from crmkit import audit, db, public
from crmkit.core.auth import throttle
from crmkit.core.auth.models import check_no_password
from crmkit.core.auth.service import find_user
from crmkit.db import utcnow
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


def safe_next(target: str | None) -> str:
    """Only ever redirect within this site after login."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
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
            user.last_login_at = utcnow()
            db.session().add(user)
            audit.record("login", user=user, commit=False)
            db.session().commit()
            login_user(user)
            return redirect(safe_next(request.args.get("next")))
        current_app.logger.info("failed login for %r from %s", form.email.data, request.remote_addr)
        throttle.login_failed(form.email.data or "")
        audit.record("login_failed", user=user, email=form.email.data)
        form.password.errors.append(_("Wrong email or password."))
    return render_template("auth/login.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/logout", methods=["POST"])
def logout():
    audit.record("logout")
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


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
