"""Users, login and logout."""

from __future__ import annotations

from flask_login import LoginManager

from crmkit import hookimpl
from crmkit.core.auth import commands, first_login, sessions, throttle, views
from crmkit.core.auth.models import RecoveryCode, User, UserSession


@hookimpl(tryfirst=True)
def init_app(app):
    """Logins through server-side session rows (crmkit.core.auth.sessions); every page needs one."""
    app.config.setdefault("SESSION_IDLE_DAYS", sessions.DEFAULT_IDLE_DAYS)
    app.config.setdefault("REQUIRE_2FA_FOR_ADMINS", False)
    manager = LoginManager(app)
    manager.user_loader(sessions.load)
    manager.session_protection = "basic"
    throttle.init_app(app)
    app.before_request(views.require_login)
    app.before_request(first_login.require_own_password)  # before 2FA enrolment, which needs it done
    app.before_request(views.require_two_factor_enrolment)


@hookimpl
def register_models():
    return [User, UserSession, RecoveryCode]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.user]
