"""The web form channel as a built-in plugin."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.intake_form.models import IntakeForm


@hookimpl
def register_models():
    return [IntakeForm]
