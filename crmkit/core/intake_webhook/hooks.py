"""The signed webhook channel as a built-in plugin."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.intake_webhook.models import WebhookSender


@hookimpl
def register_models():
    return [WebhookSender]
