"""Users, login and logout."""

from __future__ import annotations

from flask_login import LoginManager

from crmkit import db, hookimpl
from crmkit.core.auth import commands, throttle, views
from crmkit.core.auth.models import User


def load_user(user_id: str) -> User | None:
    """The cookie holds id and session token; a changed token (new password) ends the session."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit():
        return None
    user = db.session().get(User, int(ident))
    if user is None or not user.is_active or user.session_token != token:
        return None
    return user


@hookimpl(tryfirst=True)
def init_app(app):
    manager = LoginManager(app)
    manager.user_loader(load_user)
    manager.session_protection = "basic"
    throttle.init_app(app)
    app.before_request(views.require_login)


@hookimpl
def register_models():
    return [User]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.user]
