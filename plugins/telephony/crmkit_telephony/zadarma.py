"""Zadarma's cloud PBX: its call notifications in, its callback API out.

Zadarma posts each notification form-encoded to our address (set it as the PBX's notification
URL: ``/telephony/webhook/zadarma``; it first checks the address with a GET ``?zd_echo=x``,
answered here with ``x``). Sources used, as published by Zadarma:

- API reference, https://zadarma.com/en/support/api/ ("Authorization": the ``Authorization:
  key:signature`` header, signature = base64 of the hex HMAC-SHA1 of method + sorted query +
  md5(query), keyed with the API secret; "Notifications": NOTIFY_* events and the ``Signature``
  header);
- Zadarma's own client, github.com/zadarma/user-api-v1 (lib/Webhook/Notify*.php: each event's
  fields and ``getSignatureString``; lib/Client.php ``getAuthHeader``; lib/Api.php
  ``requestCallback`` is GET /v1/request/callback/ with ``from`` and ``to``).

The notification ``Signature`` header is ``base64(hex(HMAC-SHA1(secret, fields)))`` over:
NOTIFY_START, NOTIFY_INTERNAL, NOTIFY_END: caller_id + called_did + call_start; NOTIFY_ANSWER:
caller_id + destination + call_start; NOTIFY_OUT_START, NOTIFY_OUT_END: internal + destination
+ call_start; NOTIFY_RECORD: pbx_call_id + call_id_with_rec. ``call_start`` is
"YYYY-MM-DD HH:MM:SS" on the PBX's clock (``TELEPHONY_ZADARMA_TIMEZONE``, UTC by default).
A call's ``pbx_call_id`` is the same on all its notifications; outgoing ones start with ``out_``.
NOTIFY_ANSWER carries no moment of its own: the answer is dated by the call's start.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from flask import Blueprint, abort, current_app, redirect, request, url_for

from crmkit import api
from crmkit_telephony.events import CallbackRefused, CallEvent, Provider, Refused
from crmkit_telephony.numbers import form_fields, international, text_field

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

KEY = "zadarma"
DEFAULT_API_URL = "https://api.zadarma.com"
CALLBACK_METHOD = "/v1/request/callback/"
RECORD_METHOD = "/v1/pbx/record/request/"
TIMEOUT_SECONDS = 10
SIGNED = {  # the fields each notification's signature covers, in order
    "NOTIFY_START": ("caller_id", "called_did", "call_start"),
    "NOTIFY_INTERNAL": ("caller_id", "called_did", "call_start"),
    "NOTIFY_END": ("caller_id", "called_did", "call_start"),
    "NOTIFY_ANSWER": ("caller_id", "destination", "call_start"),
    "NOTIFY_OUT_START": ("internal", "destination", "call_start"),
    "NOTIFY_OUT_END": ("internal", "destination", "call_start"),
    "NOTIFY_RECORD": ("pbx_call_id", "call_id_with_rec"),
    "NOTIFY_IVR": ("caller_id", "called_did", "call_start"),  # the voice menu: checked, then ignored
}

bp = Blueprint("telephony_zadarma", __name__)


def sign(secret: str, text: str) -> str:
    """Zadarma's signature: base64 of the hex HMAC-SHA1 (as PHP's hash_hmac returns it)."""
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).hexdigest().encode()).decode()


def notification_signature(secret: str, fields: dict[str, str]) -> str:
    """The ``Signature`` header Zadarma sends with ``fields`` (a sender's or a test's)."""
    return sign(secret, "".join(fields.get(name, "") for name in SIGNED[fields["event"]]))


def auth_header(key: str, secret: str, method: str, params: dict[str, str]) -> str:
    """``Authorization`` of an API request: key, a colon and the signature of the sorted query."""
    query = urlencode(sorted(params.items()))
    return f"{key}:{sign(secret, method + query + hashlib.md5(query.encode()).hexdigest())}"


def started(value: str, config: Any) -> datetime:
    zone_name = str(config.get("TELEPHONY_ZADARMA_TIMEZONE") or "UTC")
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        zone = UTC
    parsed = datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    if not 2000 <= parsed.year <= 2999:
        raise ValueError(value)
    return parsed.replace(tzinfo=zone).astimezone(UTC)


def events_of(fields: dict[str, str], config: Any) -> list[CallEvent]:
    """The vendor-neutral events of one notification; Refused(400) names each bad field."""
    kind = fields["event"]
    call_id = fields.get("pbx_call_id", "")
    errors: dict[str, list[str]] = {}
    if not call_id or len(call_id) > 100:
        errors["pbx_call_id"] = [_("The call's id is required (up to 100 characters).")]
    at = datetime.now(UTC)
    if kind != "NOTIFY_RECORD":
        try:
            at = started(fields.get("call_start", ""), config)
        except ValueError:
            errors["call_start"] = [_("A date and time as YYYY-MM-DD HH:MM:SS.")]
    duration = None
    if kind in ("NOTIFY_END", "NOTIFY_OUT_END"):
        raw = fields.get("duration", "")
        if not raw.isdigit() or int(raw) >= 86400:
            errors["duration"] = [_("Whole seconds, from 0 to 86399.")]
        else:
            duration = int(raw)
    for name in ("caller_id", "called_did", "destination", "internal"):
        if len(fields.get(name, "")) > 40:
            errors[name] = [_("Text of up to %(limit)d characters.", limit=40)]
    if errors:
        raise Refused(400, errors)
    outbound = kind.startswith("NOTIFY_OUT") or call_id.startswith("out_")
    direction = "outbound" if outbound else "inbound"
    extension = fields.get("internal") or None
    if outbound:
        caller, called = fields.get("caller_id") or extension or "", international(fields.get("destination", ""))
    else:
        caller, called = international(fields.get("caller_id", "")), international(fields.get("called_did", ""))
    common = {"call_id": call_id, "direction": direction, "caller": caller, "called": called,
              "extension": extension, "raw": fields}
    if kind in ("NOTIFY_START", "NOTIFY_INTERNAL", "NOTIFY_OUT_START"):
        return [CallEvent(kind="ringing", at=at, **common)]
    if kind == "NOTIFY_ANSWER":
        return [CallEvent(kind="answered", at=at, **{**common, "called": called if outbound else ""})]  # destination: the extension
    if kind == "NOTIFY_RECORD":
        return [CallEvent(kind="recording", at=at, recording_url=recording_url(fields["call_id_with_rec"]), **common)]
    answered = fields.get("disposition") == "answered"
    ended = CallEvent(kind="ended" if answered else "missed", at=at + timedelta(seconds=duration or 0),
                      duration=duration if answered else 0, **common)
    found = [ended]
    if fields.get("is_recorded") == "1" and fields.get("call_id_with_rec"):
        found.append(CallEvent(kind="recording", at=ended.at, recording_url=recording_url(fields["call_id_with_rec"]), **common))
    return found


def recording_url(recording_id: str) -> str:
    """Our own address of a recording: opening it asks Zadarma for a fresh link (theirs expire)."""
    return url_for("telephony_zadarma.recording", recording_id=recording_id[:200], _external=True)


class Zadarma(Provider):
    key = KEY
    label = _l("Zadarma")

    def parse(self, headers, body, config):
        secret = str(config.get("TELEPHONY_ZADARMA_SECRET") or "")
        if not secret:
            raise Refused(401, {"_signature": [_("No API secret is set for Zadarma (TELEPHONY_ZADARMA_SECRET).")]})
        fields = form_fields(body)
        event = fields.get("event", "")
        if event not in SIGNED:
            raise Refused(400, {"event": [_("One of: %(kinds)s.", kinds=", ".join(SIGNED))]})
        given = (headers.get("Signature") or "").strip().encode()
        if not hmac.compare_digest(given, notification_signature(secret, fields).encode()):
            raise Refused(401, {"Signature": [_("Does not match the notification signed with the API secret.")]})
        if event == "NOTIFY_IVR":
            return []
        if event == "NOTIFY_RECORD" and not 0 < len(fields.get("call_id_with_rec", "")) <= 200:
            raise Refused(400, {"call_id_with_rec": [_("The recording's id is required.")]})
        return events_of(fields, config)

    def place_callback(self, user_extension, their_number, config, *, request_id="", our_number=None):
        """GET /v1/request/callback/?from=<extension>&to=<number>: Zadarma rings the extension,
        then dials the client. Its answer names no call: the call's notifications follow."""
        params = {"format": "json", "from": user_extension, "to": their_number.lstrip("+")}
        answer = self.call_api(CALLBACK_METHOD, params, config)
        if answer.get("status") != "success":
            raise CallbackRefused(_("Zadarma refused the callback: %(reason)s", reason=text_field(answer.get("message"))))
        return None

    def call_api(self, method: str, params: dict[str, str], config: Any) -> dict:
        key, secret = str(config.get("TELEPHONY_ZADARMA_KEY") or ""), str(config.get("TELEPHONY_ZADARMA_SECRET") or "")
        if not key or not secret:
            raise CallbackRefused(_("Zadarma's API key and secret are not set (TELEPHONY_ZADARMA_KEY, TELEPHONY_ZADARMA_SECRET)."))
        base = str(config.get("TELEPHONY_ZADARMA_API_URL") or DEFAULT_API_URL).rstrip("/")
        try:
            response = requests.get(base + method, params=sorted(params.items()), timeout=TIMEOUT_SECONDS,
                                    headers={"Authorization": auth_header(key, secret, method, params)})
            answer = response.json()
        except (requests.RequestException, ValueError):
            raise CallbackRefused(_("Zadarma could not be reached; try again in a minute.")) from None
        if not isinstance(answer, dict):
            raise CallbackRefused(_("Zadarma answered something unreadable."), response.status_code)
        if response.status_code >= 400 and answer.get("status") != "error":
            raise CallbackRefused(_("Zadarma answered with an error (HTTP %(status)d).", status=response.status_code), response.status_code)
        return answer


@bp.route("/telephony/webhook/zadarma", methods=["GET"])
@api.public
def echo():
    """Zadarma checks a notification address by asking it to echo ``zd_echo`` back."""
    value = request.args.get("zd_echo", "")
    if not value or len(value) > 100:
        abort(404)
    return value, 200, {"Content-Type": "text/plain; charset=utf-8"}


@bp.route("/telephony/recording/zadarma/<path:recording_id>")
def recording(recording_id: str):
    """A recording's fresh link from Zadarma (pbx/record/request), for who may see calls."""
    api.require(api.current_user(), "telephony.calls.view")
    try:
        answer = Zadarma().call_api(RECORD_METHOD, {"format": "json", "call_id": recording_id, "lifetime": "3600"},
                                   current_app.config)
    except CallbackRefused as error:
        return str(error), 502
    link = answer.get("link") or next(iter(answer.get("links") or []), None)
    if answer.get("status") != "success" or not isinstance(link, str) or not link.startswith("https://"):
        return _("Zadarma has no recording with this id."), 404
    return redirect(link)
