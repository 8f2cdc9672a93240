"""Mango Office's virtual PBX (VPBX API): its events in, its callback command out.

Mango posts every event form-encoded to our address plus the event's path (set the address of
the external system to ``/telephony/webhook/mango``; it posts to ``.../events/call``,
``.../events/summary``, ``.../events/recording``...) with three fields: ``vpbx_api_key`` (the
PBX's key), ``json`` (the event) and ``sign``, the hex SHA-256 of key + json + salt, where the
salt is the PBX's signing key (``TELEPHONY_MANGO_KEY``, ``TELEPHONY_MANGO_SALT``). Commands go
the same way to https://app.mango-office.ru/vpbx/commands/... Sources used:

- Mango Office, "Общие вопросы по API ВАТС MANGO OFFICE",
  https://retail.mango-office.ru/support/integratsiya-api/spisok_integratsiy/obshchie_voprosy_po_api_vats_mango_office/
  (the commands/callback request: ``command_id``, ``from.extension``, ``to_number``, signed with
  api_key and api_salt);
- the VPBX API's event fields as client libraries transcribe them: github.com/dasshit/Python-Mango-Office-API
  (``sign = sha256(key + json + salt)``, the form fields, commands/callback, config/users/request)
  and a Go transcription of events/call and events/summary (entry_id, call_id, timestamp, seq,
  call_state Appeared/Connected/OnHold/Disconnected, location, from/to {extension, number},
  call_direction 0 internal, 1 inbound, 2 outbound, create_time, talk_time, end_time,
  entry_result 1 answered, 0 not, line_number).

One call is one ``entry_id``. events/call gives the ringing and the answer at an extension;
events/summary, sent once the call is over, its outcome and talk time (Disconnected of one leg
is not the call's end: another extension may still answer). events/recording with
``recording_state`` Completed gives the recording, played through our own address, which signs
Mango's link (queries/recording/link) when opened. Internal calls are ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import requests
from flask import Blueprint, current_app, redirect, url_for

from crmkit import api
from crmkit_telephony.events import CallbackRefused, CallEvent, Provider, Refused
from crmkit_telephony.numbers import form_fields, international

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext

KEY = "mango"
DEFAULT_API_URL = "https://app.mango-office.ru/vpbx"
TIMEOUT_SECONDS = 10
SUCCESS = 1000  # Mango's result code of an accepted command
USERS_CACHE_SECONDS = 600
KNOWN_EVENTS = ("call", "summary", "recording")

bp = Blueprint("telephony_mango", __name__)
_users: dict[str, tuple[float, dict[str, str]]] = {}  # the PBX's extensions -> emails, per API address and key


def signature(key: str, body_json: str, salt: str) -> str:
    return hashlib.sha256((key + body_json + salt).encode()).hexdigest()


def signed_form(key: str, salt: str, data: dict) -> dict[str, str]:
    """The three form fields of a request to Mango or of one of its events (a test's)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return {"vpbx_api_key": key, "sign": signature(key, text, salt), "json": text}


def verified(body: bytes, config: Any) -> dict:
    """The event of a genuine delivery: Refused(401) for a foreign key or a wrong sign."""
    key, salt = str(config.get("TELEPHONY_MANGO_KEY") or ""), str(config.get("TELEPHONY_MANGO_SALT") or "")
    if not key or not salt:
        raise Refused(401, {"_signature": [_("No API key and salt are set for Mango Office (TELEPHONY_MANGO_KEY, TELEPHONY_MANGO_SALT).")]})
    fields = form_fields(body)
    if not hmac.compare_digest(fields.get("vpbx_api_key", "").encode(), key.encode()):
        raise Refused(401, {"vpbx_api_key": [_("Not this PBX's API key.")]})
    if not hmac.compare_digest(fields.get("sign", "").encode(), signature(key, fields.get("json", ""), salt).encode()):
        raise Refused(401, {"sign": [_("Does not match the event signed with the API key and salt.")]})
    try:
        data = json.loads(fields["json"])
    except (KeyError, ValueError, RecursionError):
        raise Refused(400, {"json": [_("The event is not valid JSON.")]}) from None
    if not isinstance(data, dict):
        raise Refused(400, {"json": [_("The event is not a JSON object.")]})
    return data


def party(data: dict, name: str) -> dict[str, str]:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Refused(400, {name: [_("An object with extension and number.")]})
    found = {k: str(v) for k, v in value.items() if k in ("extension", "number", "line_number") and isinstance(v, str | int)}
    if any(len(v) > 40 for v in found.values()):
        raise Refused(400, {name: [_("Text of up to %(limit)d characters.", limit=40)]})
    return found


def moment(data: dict, name: str) -> datetime:
    value = data.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 < value < 2**33:
        raise Refused(400, {name: [_("Unix time in whole seconds.")]})
    return datetime.fromtimestamp(value, UTC)


def entry_of(data: dict) -> str:
    entry = data.get("entry_id")
    if not isinstance(entry, str) or not 0 < len(entry) <= 100:
        raise Refused(400, {"entry_id": [_("The call's id is required (up to 100 characters).")]})
    return entry


def call_event(data: dict) -> list[CallEvent]:
    """events/call: ringing (Appeared at an extension) and the answer (Connected)."""
    state = data.get("call_state")
    if state not in ("Appeared", "Connected", "OnHold", "Disconnected"):
        raise Refused(400, {"call_state": [_("One of: %(kinds)s.", kinds="Appeared, Connected, OnHold, Disconnected")]})
    entry, at = entry_of(data), moment(data, "timestamp")
    caller, called = party(data, "from"), party(data, "to")
    if caller.get("extension") and called.get("extension"):
        return []  # an internal call
    if state not in ("Appeared", "Connected"):
        return []
    outbound = bool(caller.get("extension"))
    extension = (caller if outbound else called).get("extension")
    if outbound:
        ours, theirs = caller.get("number") or extension or "", international(called.get("number", ""))
        numbers = {"caller": ours, "called": theirs}
    else:
        ours = international(called.get("line_number") or called.get("number", ""))
        numbers = {"caller": international(caller.get("number", "")), "called": ours}
    if not extension and state == "Connected":
        return []  # answered by the voice menu, not by someone
    return [CallEvent(kind="ringing" if state == "Appeared" else "answered", call_id=entry,
                      direction="outbound" if outbound else "inbound", at=at, extension=extension, raw=data, **numbers)]


def summary_event(data: dict) -> list[CallEvent]:
    """events/summary: the call's end, with its outcome and talk time."""
    direction = data.get("call_direction")
    if direction not in (0, 1, 2):
        raise Refused(400, {"call_direction": [_("One of: %(kinds)s.", kinds="0, 1, 2")]})
    entry, created, ended = entry_of(data), moment(data, "create_time"), moment(data, "end_time")
    talk = data.get("talk_time") or 0
    if not isinstance(talk, int) or isinstance(talk, bool) or talk < 0:
        raise Refused(400, {"talk_time": [_("Unix time in whole seconds.")]})
    caller, called = party(data, "from"), party(data, "to")
    if direction == 0:
        return []
    answered = data.get("entry_result") == 1 and talk > 0
    duration = max(0, int(ended.timestamp()) - talk) if answered else 0
    line = international(str(data.get("line_number") or ""))
    if direction == 1:
        numbers = {"caller": international(caller.get("number", "")), "called": line or international(called.get("number", ""))}
        extension = called.get("extension")
    else:
        numbers = {"caller": line or caller.get("extension", ""), "called": international(called.get("number", ""))}
        extension = caller.get("extension")
    common = {"call_id": entry, "direction": "inbound" if direction == 1 else "outbound", "extension": extension or None,
              "raw": data, **numbers}
    return [CallEvent(kind="ringing", at=created, **common),
            CallEvent(kind="ended" if answered else "missed", at=ended, duration=duration, **common)]


def recording_event(data: dict) -> list[CallEvent]:
    """events/recording: the recording once Mango has it whole."""
    if data.get("recording_state") != "Completed":
        return []
    recording_id = data.get("recording_id")
    if not isinstance(recording_id, str) or not 0 < len(recording_id) <= 200:
        raise Refused(400, {"recording_id": [_("The recording's id is required.")]})
    url = url_for("telephony_mango.recording", recording_id=recording_id, _external=True)
    return [CallEvent(kind="recording", call_id=entry_of(data), direction="inbound", at=moment(data, "timestamp"),
                      extension=None, recording_url=url, raw=data)]


class Mango(Provider):
    key = KEY
    label = _l("Mango Office")

    def parse(self, headers, body, config):
        data = verified(body, config)
        if "recording_id" in data:
            return recording_event(data)
        if "call_direction" in data or "entry_result" in data:
            return summary_event(data)
        if "call_state" in data:
            return call_event(data)
        return []  # another event Mango may send (DTMF, SMS...): genuine, not a call's

    def user_email_for(self, extension, config):
        """The email of the PBX's user at ``extension`` (config/users/request), read at most every
        ten minutes; None when the API is not set or does not answer."""
        key = f'{config.get("TELEPHONY_MANGO_API_URL") or DEFAULT_API_URL} {config.get("TELEPHONY_MANGO_KEY") or ""}'
        cached = _users.get(key)
        if cached is None or time.monotonic() - cached[0] > USERS_CACHE_SECONDS:
            try:
                answer = command("/config/users/request", {"ext_fields": ["general.email"]}, config, timeout=3)
            except CallbackRefused:
                return None
            found = {}
            for user in answer.get("users") or []:
                if isinstance(user, dict):
                    number = (user.get("telephony") or {}).get("extension")
                    email = (user.get("general") or {}).get("email")
                    if isinstance(number, str | int) and isinstance(email, str) and email:
                        found[str(number)] = email
            _users[key] = cached = (time.monotonic(), found)
        return cached[1].get(extension)

    def place_callback(self, user_extension, their_number, config, *, request_id="", our_number=None):
        """commands/callback: Mango rings the extension, then dials the client from ``our_number``
        (the line) when given. The call's events carry the command's id back."""
        data = {"command_id": (request_id or f"crmkit-{time.time_ns()}")[:100], "from": {"extension": user_extension},
                "to_number": their_number.lstrip("+")}
        if our_number:
            data["line_number"] = our_number.lstrip("+")
        answer = command("/commands/callback", data, config)
        if answer.get("result") != SUCCESS:
            raise CallbackRefused(_("Mango Office refused the callback (code %(code)s).", code=str(answer.get("result"))[:20]))
        return None


def command(path: str, data: dict, config: Any, timeout: float = TIMEOUT_SECONDS) -> dict:
    """POST one signed command to the VPBX API and read its JSON answer."""
    key, salt = str(config.get("TELEPHONY_MANGO_KEY") or ""), str(config.get("TELEPHONY_MANGO_SALT") or "")
    if not key or not salt:
        raise CallbackRefused(_("Mango Office's API key and salt are not set (TELEPHONY_MANGO_KEY, TELEPHONY_MANGO_SALT)."))
    base = str(config.get("TELEPHONY_MANGO_API_URL") or DEFAULT_API_URL).rstrip("/")
    try:
        response = requests.post(base + path, data=signed_form(key, salt, data), timeout=timeout)
        answer = response.json()
    except (requests.RequestException, ValueError):
        raise CallbackRefused(_("Mango Office could not be reached; try again in a minute.")) from None
    if not isinstance(answer, dict):
        raise CallbackRefused(_("Mango Office answered something unreadable."), response.status_code)
    return answer


@bp.route("/telephony/webhook/mango/events/<name>", methods=["POST"])
@api.public
def event(name: str):
    """Mango's address per event: the same delivery as /telephony/webhook/mango."""
    from crmkit_telephony import views

    if name not in KNOWN_EVENTS:  # DTMF, SMS...: genuine or not, nothing of a call
        return {"status": "ignored"}, 200
    return views.deliver(KEY)


@bp.route("/telephony/recording/mango/<recording_id>")
def recording(recording_id: str):
    """A recording played from Mango through a link signed now, valid for an hour
    (queries/recording/link/<id>/play/<key>/<expires>/<sign>, sign = sha256(key + expires + id + salt))."""
    api.require(api.current_user(), "telephony.calls.view")
    config = current_app.config
    key, salt = str(config.get("TELEPHONY_MANGO_KEY") or ""), str(config.get("TELEPHONY_MANGO_SALT") or "")
    if not key or not salt or len(recording_id) > 200:
        return _("Mango Office's API key and salt are not set."), 404
    expires = str(int(time.time()) + 3600)
    sign = hashlib.sha256((key + expires + recording_id + salt).encode()).hexdigest()
    base = str(config.get("TELEPHONY_MANGO_API_URL") or DEFAULT_API_URL).rstrip("/")
    return redirect(f"{base}/queries/recording/link/{recording_id}/play/{key}/{expires}/{sign}")
