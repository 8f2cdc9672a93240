"""Reading one submission of a web form, JSON or form-encoded, into an ``Incoming`` lead.

Everything a visitor's browser (or a bot) can send is checked here and answered with a message
per field: a body too large, JSON that is not an object, a value that is not text, a required
field left empty, an address that is no email. Text is kept as typed; HTML in it is escaped
wherever crmkit shows it.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import Request, current_app
from werkzeug.exceptions import RequestEntityTooLarge

from crmkit.core.intake_form.fields import FormField
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.leads.intake import UTM_KEYS, Incoming
from crmkit.errors import BadInput
from crmkit.i18n import gettext as _
from crmkit.json_input import MAX_DEPTH, deeper_than

HONEYPOT = "website"  # hidden from people; bots fill in a field with this name
PAGE_KEYS = ("landing_page", "referrer", "submission_id")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DEFAULT_MAX_BYTES = 32 * 1024


class Refused(ValueError):
    """A submission with bad values; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def is_json(request: Request) -> bool:
    return request.mimetype == "application/json"


def max_bytes() -> int:
    return int(current_app.config.get("INTAKE_FORM_MAX_BYTES", DEFAULT_MAX_BYTES))


def body_of(request: Request) -> dict[str, Any]:
    """The submitted values: a JSON object, or the form's fields (the last of repeated ones)."""
    limit = max_bytes()
    if request.content_length is not None and request.content_length > limit:
        raise RequestEntityTooLarge()
    request.max_content_length = limit
    if not is_json(request):
        return {key: values[-1] for key, values in request.form.lists()}
    data = request.get_data(cache=True)
    try:
        found = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise BadInput({"_body": [_("The body is not valid JSON in UTF-8.")]}) from None
    if deeper_than(found, MAX_DEPTH):
        raise BadInput({"_body": [_("The JSON is nested more than %(depth)d levels deep.", depth=MAX_DEPTH)]})
    if not isinstance(found, dict):
        raise BadInput({"_body": [_("Send the form's fields as a JSON object.")]})
    return found


def as_text(value: Any) -> str | None:
    """A posted value as text; None for a value no input gives (an object, a list)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, int | float | str):
        return str(value)
    return None


def utm_of(values: dict[str, str], landing_page: str | None) -> dict[str, str]:
    """UTM tags sent as fields, else read from the landing page's address."""
    from_page = parse_qs(urlsplit(landing_page or "").query)
    found = {}
    for key in UTM_KEYS:
        value = values.get(key) or (from_page.get(key) or [""])[0]
        if value:
            found[key] = value
    return found


def checked(form: IntakeForm, asked: dict[str, FormField], values: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for key, field in asked.items():
        value = (values.get(key) or "").strip()
        if not value:
            if key in form.required:
                errors[key] = [_("Please fill this in.")]
            continue
        if len(value) > field.max_length:
            errors[key] = [_("At most %(count)d characters.", count=field.max_length)]
        elif field.kind == "email" and not EMAIL.match(value):
            errors[key] = [_("Enter an email address such as name@example.com.")]
        elif field.kind == "tel" and len(re.sub(r"\D", "", value)) < 5:
            errors[key] = [_("Enter a phone number with its code.")]
        elif field.choices and value not in {choice for choice, _label in field.choices}:
            errors[key] = [_("Choose one of the options.")]
    return errors


def incoming(form: IntakeForm, asked: dict[str, FormField], body: dict[str, Any], request: Request) -> Incoming:
    """The lead a submission makes; ``Refused`` names every bad field."""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for key in [*asked, *UTM_KEYS, *PAGE_KEYS]:
        text = as_text(body.get(key))
        if text is None:
            errors[key] = [_("Send text here, not a list or an object.")]
        else:
            values[key] = text
    errors.update(checked(form, asked, values))
    if errors:
        raise Refused(errors)
    own = {key: values.get(key, "").strip() or None for key in ("name", "phone", "email", "organization_name", "request")}
    plugin_fields: dict[str, dict[str, Any]] = {}
    for key in asked:
        if "." in key and values.get(key, "").strip():
            group, name = key.split(".", 1)
            plugin_fields.setdefault(group, {})[name] = values[key].strip()
    landing = values.get("landing_page") or request.referrer or None
    submission = (values.get("submission_id") or "").strip()[:80]
    return Incoming(
        channel="form", name=own["name"], phones=[own["phone"]] if own["phone"] else [],
        emails=[own["email"]] if own["email"] else [], organization_name=own["organization_name"],
        request=own["request"], utm=utm_of(values, landing), referrer=values.get("referrer") or None,
        landing_page=landing, external_id=f"{form.token}:{submission}" if submission else None,
        raw={"form": form.token, "fields": {k: v for k, v in body.items() if k != HONEYPOT},
             "ip": request.remote_addr, "user_agent": request.headers.get("User-Agent", "")[:500]},
        source_hints={"form": form.token}, fields=plugin_fields,
    )
