"""The HTML an admin pastes into a site: a plain form posting to crmkit (a few lines of script
fill in the page's address and UTM tags; without script the browser's Referer still tells the
page), or the same form sent as JSON with ``fetch``, answering on the page without leaving it."""

from __future__ import annotations

from flask import render_template, url_for
from flask_babel import force_locale

from crmkit.core.intake_form.fields import available
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.intake_form.receiving import HONEYPOT
from crmkit.core.leads.intake import UTM_KEYS
from crmkit.mail import external_url

VARIANTS = ("plain", "script")


def action_url(form: IntakeForm) -> str:
    """Where the snippet posts: CRMKIT_BASE_URL when set, else the address the admin uses."""
    return external_url("intake_form.submit", token=form.token) or url_for("intake_form.submit", token=form.token, _external=True)


def render(form: IntakeForm, variant: str = "plain") -> str:
    """The snippet's HTML, its labels in the form's language."""
    known = available()
    asked = [known[key] for key in form.fields if key in known]
    with force_locale(form.language):
        return render_template(
            "intake_form/snippet.html", form=form, asked=asked, action=action_url(form), variant=variant,
            honeypot=HONEYPOT, utm_keys=UTM_KEYS, element_id=f"crmkit-form-{form.token}",
        ).strip() + "\n"
