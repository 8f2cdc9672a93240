"""A webhook delivery's JSON as an ``Incoming`` lead, with a message for each bad field.

The body is one JSON object; only ``id`` (the sender's own id of the lead, what makes a replay
harmless) is required. Phones and emails may be a list or a single text; UTM tags come as
``utm`` or as ``utm_source``... at the top; ``fields`` holds plugins' fields by group.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from crmkit.core.intake_webhook.models import WebhookSender
from crmkit.core.leads.intake import UTM_KEYS, Incoming
from crmkit.i18n import gettext as _

TEXTS = {"name": 200, "organization_name": 200, "request": 5000, "referrer": 2000, "landing_page": 2000,
         "source": 200, "mailbox": 320, "number": 50}
ID_LENGTH = 150


class Refused(ValueError):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def text_or_none(data: dict[str, Any], key: str, errors: dict[str, list[str]]) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        errors[key] = [_("Send text here.")]
        return None
    return str(value)


def many(data: dict[str, Any], plural: str, single: str, errors: dict[str, list[str]]) -> list[str]:
    value = data.get(plural, data.get(single))
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str | int) and not isinstance(item, bool) for item in values) or len(values) > 20:
        errors[plural] = [_("Send a text or a list of up to 20 texts.")]
        return []
    return [str(item) for item in values]


def moment(data: dict[str, Any], errors: dict[str, list[str]]) -> datetime | None:
    value = data.get("received_at")
    if value in (None, ""):
        return None
    try:
        found = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        errors["received_at"] = [_("Send a date and time as ISO 8601, such as 2026-03-02T09:00:00Z.")]
        return None
    return found if found.tzinfo else found.replace(tzinfo=timezone.utc)


def incoming(sender: WebhookSender, data: dict[str, Any]) -> Incoming:
    """The lead a delivery makes; ``Refused`` names every bad field."""
    errors: dict[str, list[str]] = {}
    sender_id = text_or_none(data, "id", errors)
    if sender_id is None and "id" not in errors:
        errors["id"] = [_("Send your own id of this lead: a replay with the same id makes no second lead.")]
    elif sender_id is not None and len(sender_id) > ID_LENGTH:
        errors["id"] = [_("At most %(count)d characters.", count=ID_LENGTH)]
    texts = {key: text_or_none(data, key, errors) for key in TEXTS}
    phones = many(data, "phones", "phone", errors)
    emails = many(data, "emails", "email", errors)
    utm_given = data.get("utm") or {}
    if not isinstance(utm_given, dict):
        errors["utm"] = [_("Send the UTM tags as an object.")]
        utm_given = {}
    utm = {}
    for key in UTM_KEYS:
        value = utm_given.get(key, data.get(key))
        if value not in (None, ""):
            if not isinstance(value, str):
                errors[key] = [_("Send text here.")]
            else:
                utm[key] = value
    fields = data.get("fields") or {}
    if not isinstance(fields, dict):
        errors["fields"] = [_("Send plugins' fields as an object of groups.")]
    received_at = moment(data, errors)
    items = [tuple(token.split(":", 1)) if ":" in token else (None, token) for token in many(data, "items", "item", errors)]
    if errors:
        raise Refused(errors)
    hints = {key: texts[key] for key in ("mailbox", "number") if texts[key]}
    if texts["source"] and "utm_source" not in utm:
        hints["utm_source"] = texts["source"]
    return Incoming(
        channel="webhook", name=texts["name"], phones=phones, emails=emails, organization_name=texts["organization_name"],
        request=texts["request"], utm=utm, referrer=texts["referrer"], landing_page=texts["landing_page"],
        raw={"sender": sender.name, "body": data}, external_id=f"{sender.id}:{sender_id}", received_at=received_at,
        source_hints=hints, fields=fields, source_id=sender.source_id, items=items,
    )
