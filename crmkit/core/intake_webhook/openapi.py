"""The webhook in the OpenAPI document the core serves (/api/v1/openapi.json), beside the lead
entity's own operations: its body, its signature headers and each answer."""

from __future__ import annotations

from typing import Any

from crmkit.core.intake_webhook.payload import ID_LENGTH
from crmkit.core.intake_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER

TEXT = {"type": "string"}
MANY = {"oneOf": [{"type": "string"}, {"type": "array", "maxItems": 20, "items": {"type": "string"}}]}
BODY = {
    "type": "object",
    "required": ["id"],
    "properties": {
        "id": {"type": "string", "maxLength": ID_LENGTH,
               "description": "Your own id of this lead: a replay with the same id answers the same lead_id and makes nothing."},
        "name": {**TEXT, "description": "The person, as they typed it (longer than 200 characters: cut, kept whole in the raw payload)."},
        "phones": {**MANY, "description": "One phone or several (or `phone`)."},
        "emails": {**MANY, "description": "One email or several (or `email`)."},
        "organization_name": TEXT,
        "request": {**TEXT, "description": "What they want, as text."},
        "utm": {"type": "object", "additionalProperties": TEXT,
                "description": "utm_source, utm_medium, utm_campaign, utm_content, utm_term (also accepted at the top level)."},
        "referrer": TEXT,
        "landing_page": TEXT,
        "source": {**TEXT, "description": "A source hint, matched like a utm_source tag when there is none."},
        "received_at": {"type": "string", "format": "date-time", "description": "When you received it; now when left out."},
        "fields": {"type": "object", "description": "Values of fields plugins add to leads, by group: {\"group\": {\"field\": value}}."},
        "items": {**MANY, "description": "What the lead is about (a listing): inventory items by number, or `entity:id`; unknown ones are left out (or `item`)."},
    },
}
HEADERS = [
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
     "description": "The Unix time you signed at; refused when more than five minutes away from ours."},
    {"name": SIGNATURE_HEADER, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
     "description": "sha256= and the hex HMAC-SHA256, keyed with the sender's secret, of the timestamp, a dot and the exact body bytes."},
]
ACCEPTED = {"type": "object", "required": ["status", "lead_id", "created"], "properties": {
    "status": {"type": "string", "enum": ["accepted"]}, "lead_id": {"type": "integer"},
    "created": {"type": "boolean", "description": "False for a replay of an id already received."}}}


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def paths() -> dict[str, Any]:
    return {"/intake/webhook/{key}": {"post": {
        "tags": ["lead"],
        "summary": "Deliver a lead from a listing portal or another system (signed with HMAC)",
        "operationId": "intake_webhook_deliver",
        "security": [],
        "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"},
                        "description": "The sender's key, from its address on the admin page."}, *HEADERS],
        "requestBody": {"required": True, "content": {"application/json": {"schema": BODY}}},
        "responses": {
            "202": {"description": "Committed as a lead (or a replay of one).", "content": {"application/json": {"schema": ACCEPTED}}},
            "400": error("The body is not a JSON object in UTF-8."),
            "401": error("The timestamp is missing or too far from our clock, or the signature does not match."),
            "404": error("No active sender with this key."),
            "413": error("The body is larger than the limit (256 KB by default)."),
            "422": error("Some fields are not valid; each has its messages."),
            "429": error("Too many deliveries from this sender; retry in a minute."),
        },
    }}}
