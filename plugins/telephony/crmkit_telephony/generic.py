"""The built-in provider: a signed JSON webhook any PBX or middleware can post to.

Signed like crmkit's lead webhook: ``X-Crmkit-Signature: sha256=<hex>`` is the HMAC-SHA256 of
``timestamp + "." + body`` keyed with ``TELEPHONY_WEBHOOK_SECRET``, and ``X-Crmkit-Timestamp`` the
Unix time of signing, within five minutes of ours. The body is one event or ``{"events": [...]}``.

Click-to-call goes the other way: a POST of ``{"extension", "number", "request_id", "our_number"}``
to ``TELEPHONY_CALLBACK_URL``, signed the same way with ``TELEPHONY_CALLBACK_SECRET`` (else the
webhook's secret); a 2xx answer may name the call as ``{"call_id": "..."}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

from crmkit import api
from crmkit_telephony.events import DIRECTIONS, KINDS, CallbackRefused, CallEvent, Provider, Refused

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

SIGNATURE_HEADER = "X-Crmkit-Signature"
TIMESTAMP_HEADER = "X-Crmkit-Timestamp"
TOLERANCE_SECONDS = 300
MAX_EVENTS = 100
TEXT_LIMITS = {"call_id": 100, "caller": 40, "called": 40, "extension": 40, "recording_url": 1000}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header value a sender puts in ``X-Crmkit-Signature``."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def check_signature(secret: str, headers: Any, body: bytes) -> None:
    timestamp = (headers.get(TIMESTAMP_HEADER) or "").strip()
    if not secret:
        raise Refused(401, {"_signature": [_("No secret is set for this webhook (TELEPHONY_WEBHOOK_SECRET).")]})
    if not timestamp.isdigit() or abs(time.time() - int(timestamp)) > TOLERANCE_SECONDS:
        raise Refused(401, {TIMESTAMP_HEADER: [_("Missing, or more than five minutes away from our clock.")]})
    given = (headers.get(SIGNATURE_HEADER) or "").strip().encode()
    if not hmac.compare_digest(given, signature(secret, timestamp, body).encode()):
        raise Refused(401, {SIGNATURE_HEADER: [_("Does not match the body signed with the secret.")]})


def moment(value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError
    return parsed.astimezone(UTC)


def event_of(item: Any, index: int) -> CallEvent:
    """One event of the body, or Refused(400) naming each bad field as ``events[i].field``."""
    where = f"events[{index}]"
    if not isinstance(item, dict):
        raise Refused(400, {where: [_("Send each event as a JSON object.")]})
    errors: dict[str, list[str]] = {}
    if item.get("event") not in KINDS:
        errors[f"{where}.event"] = [_("One of: %(kinds)s.", kinds=", ".join(KINDS))]
    if item.get("direction") not in DIRECTIONS:
        errors[f"{where}.direction"] = [_("One of: %(kinds)s.", kinds=", ".join(DIRECTIONS))]
    for name, limit in TEXT_LIMITS.items():
        value = item.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            errors[f"{where}.{name}"] = [_("Text of up to %(limit)d characters.", limit=limit)]
    if not item.get("call_id"):
        errors[f"{where}.call_id"] = [_("The call's id is required.")]
    try:
        at = moment(item.get("at"))
    except ValueError:
        errors[f"{where}.at"] = [_("A date and time with its offset, as ISO 8601.")]
    duration = item.get("duration")
    if duration is not None and (not isinstance(duration, int) or isinstance(duration, bool) or not 0 <= duration < 86400):
        errors[f"{where}.duration"] = [_("Whole seconds, from 0 to 86399.")]
    if errors:
        raise Refused(400, errors)
    return CallEvent(kind=item["event"], call_id=item["call_id"], direction=item["direction"], at=at,
                     caller=item.get("caller") or "", called=item.get("called") or "",
                     extension=item.get("extension") or None, duration=duration,
                     recording_url=item.get("recording_url") or None, raw=item)


class Generic(Provider):
    key = "generic"
    label = _l("Signed JSON webhook")

    def parse(self, headers, body, config):
        check_signature(str(config.get("TELEPHONY_WEBHOOK_SECRET") or ""), headers, body)
        try:
            data = json.loads(body.decode("utf-8"))
        except (ValueError, RecursionError):
            raise Refused(400, {"_body": [_("The body is not valid JSON in UTF-8.")]}) from None
        items = data.get("events") if isinstance(data, dict) and "events" in data else [data]
        if not isinstance(items, list) or not items or len(items) > MAX_EVENTS:
            raise Refused(400, {"events": [_("From 1 to %(count)d events.", count=MAX_EVENTS)]})
        return [event_of(item, index) for index, item in enumerate(items)]

    def place_callback(self, user_extension, their_number, config, *, request_id="", our_number=None):
        url = str(config.get("TELEPHONY_CALLBACK_URL") or "")
        secret = str(config.get("TELEPHONY_CALLBACK_SECRET") or config.get("TELEPHONY_WEBHOOK_SECRET") or "")
        if not url.startswith(("http://", "https://")):
            raise CallbackRefused(_("No callback address is set for the PBX (TELEPHONY_CALLBACK_URL)."))
        if not secret:
            raise CallbackRefused(_("No secret is set to sign callback requests (TELEPHONY_CALLBACK_SECRET)."))
        body = json.dumps({"extension": user_extension, "number": their_number, "request_id": request_id,
                           "our_number": our_number}, separators=(",", ":")).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json", "User-Agent": "crmkit-telephony/1",
            TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature(secret, timestamp, body)})
        try:
            with urllib.request.urlopen(request, timeout=float(config.get("TELEPHONY_CALLBACK_TIMEOUT", 10))) as response:
                answer = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            raise CallbackRefused(refusal(error.code, error.read(64 * 1024)), error.code) from None
        except (urllib.error.URLError, OSError, ValueError) as error:
            raise CallbackRefused(_("The PBX did not answer: %(error)s", error=getattr(error, "reason", error))) from None
        try:
            data = json.loads(answer.decode("utf-8")) if answer.strip() else {}
        except ValueError:
            data = {}
        call_id = data.get("call_id") if isinstance(data, dict) else None
        return str(call_id)[:100] if call_id else None


def refusal(status: int, answer: bytes) -> str:
    """The PBX's refusal for the user: its own ``error`` text when it sent one."""
    try:
        data = json.loads(answer.decode("utf-8"))
    except ValueError:
        data = None
    said = data.get("error") if isinstance(data, dict) else None
    if isinstance(said, str) and said.strip():
        return _("The PBX refused the call (%(status)d): %(error)s", status=status, error=said.strip()[:300])
    return _("The PBX refused the call (%(status)d).", status=status)
