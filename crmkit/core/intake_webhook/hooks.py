"""The signed webhook channel as a built-in plugin: systems post leads as JSON signed with their
own secret (docs/leads.md, "Intake channels: webhook")."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.intake_webhook import admin, openapi, views
from crmkit.core.intake_webhook.models import WebhookSender
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import IntakeSource


@hookimpl
def register_models():
    return [WebhookSender]


@hookimpl
def register_blueprints():
    return [views.bp, admin.bp]


@hookimpl
def init_app(app):
    """Deliveries carry a signature instead of a CSRF token."""
    app.extensions["csrf"].exempt(views.bp)


@hookimpl
def intake_sources():
    return [IntakeSource("webhook", _l("Webhook"), _l("Listing portals and other systems posting signed JSON."),
                         settings_endpoint="intake_webhook_admin.index")]


@hookimpl
def api_paths(entity, user):
    """The webhook, documented beside the lead's own operations."""
    return openapi.paths() if entity.key == "lead" else {}
