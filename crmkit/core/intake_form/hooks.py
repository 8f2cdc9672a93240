"""The web form channel as a built-in plugin: admins make forms, sites embed them, each one sent
becomes a lead (docs/leads.md, "Intake channels: web form")."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.intake_form import admin, views
from crmkit.core.intake_form.models import IntakeForm
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import IntakeSource


@hookimpl
def register_models():
    return [IntakeForm]


@hookimpl
def register_blueprints():
    return [views.bp, admin.bp]


@hookimpl
def init_app(app):
    """The public endpoints take posts from other sites, which carry no CSRF token: a form
    answers only its allowed sites instead (views.py)."""
    app.extensions["csrf"].exempt(views.bp)


@hookimpl
def intake_sources():
    return [IntakeSource("form", _l("Web form"), _l("Forms embedded in your sites."), settings_endpoint="intake_form_admin.index")]
