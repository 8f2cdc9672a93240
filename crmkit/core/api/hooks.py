"""The REST API of every entity, API tokens (page and `crmkit user token`), OpenAPI and its docs."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.api import pages, tokens, views
from crmkit.core.api.commands import token as token_command
from crmkit.core.api.models import ApiToken
from crmkit.core.auth.commands import user as user_group


@hookimpl
def register_models():
    return [ApiToken]


@hookimpl
def init_app(app):
    # core.auth's init_app runs first (tryfirst) and makes the login manager.
    app.login_manager.request_loader(tokens.load_user_from_request)
    bp = views.build_blueprint(app.extensions["crmkit"].entities)
    pages.add_docs_routes(bp)
    app.extensions["csrf"].exempt(bp)  # the API checks CSRF itself, only for session requests
    app.register_blueprint(bp)


@hookimpl
def register_blueprints():
    return [pages.tokens_bp]


@hookimpl
def register_commands():
    # A subcommand of core.auth's `crmkit user` group, added before the group is registered.
    user_group.add_command(token_command)
    return []
