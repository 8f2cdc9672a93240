"""The call webhook in crmkit's OpenAPI document (/api/v1/openapi.json), beside the activity
entity's own operations, as calls become activities: the body, the signature headers and each answer."""

from __future__ import annotations

from typing import Any

from crmkit_telephony.events import DIRECTIONS, KINDS
from crmkit_telephony.generic import MAX_EVENTS, SIGNATURE_HEADER, TEXT_LIMITS, TIMESTAMP_HEADER

EVENT = {
    "type": "object",
    "required": ["event", "call_id", "direction", "at"],
    "properties": {
        "event": {"type": "string", "enum": list(KINDS), "description": "recording: the recording is ready."},
        "call_id": {"type": "string", "maxLength": TEXT_LIMITS["call_id"],
                    "description": "The PBX's id of the call, the same on all its events: repeats change nothing."},
        "direction": {"type": "string", "enum": list(DIRECTIONS)},
        "at": {"type": "string", "format": "date-time", "description": "When it happened, with its offset."},
        "caller": {"type": "string", "maxLength": TEXT_LIMITS["caller"]},
        "called": {"type": "string", "maxLength": TEXT_LIMITS["called"]},
        "extension": {"type": "string", "maxLength": TEXT_LIMITS["extension"]},
        "duration": {"type": "integer", "minimum": 0, "maximum": 86399, "description": "Talk time in seconds, on ended."},
        "recording_url": {"type": "string", "maxLength": TEXT_LIMITS["recording_url"]},
    },
}
BODY = {"oneOf": [EVENT, {"type": "object", "required": ["events"], "properties": {
    "events": {"type": "array", "minItems": 1, "maxItems": MAX_EVENTS, "items": EVENT}}}]}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "fields": {
    "type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}}}
HEADERS = [
    {"name": TIMESTAMP_HEADER, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
     "description": "The Unix time you signed at; refused when more than five minutes away from ours."},
    {"name": SIGNATURE_HEADER, "in": "header", "required": True, "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
     "description": "sha256= and the hex HMAC-SHA256 of the timestamp, a dot and the body, keyed with TELEPHONY_WEBHOOK_SECRET."},
]


def error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


def paths() -> dict[str, Any]:
    return {"/telephony/webhook/generic": {"post": {
        "tags": ["activity"],
        "summary": "Deliver call events from a PBX (signed with HMAC); calls become activities",
        "operationId": "telephony_webhook_generic",
        "security": [],
        "parameters": HEADERS,
        "requestBody": {"required": True, "content": {"application/json": {"schema": BODY}}},
        "responses": {
            "202": {"description": "Every event applied to its call.", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"status": {"type": "string", "enum": ["accepted"]},
                                                 "calls": {"type": "array", "items": {"type": "integer"}}}}}}},
            "400": error("Not JSON in UTF-8, or an event with bad fields (each named, events[i].field); nothing kept."),
            "401": error("The timestamp is missing or too far from our clock, or the signature does not match."),
            "413": error("The body is larger than 256 KB."),
            "422": error("The activity of a call could not be written; each field has its messages."),
        },
    }}}
