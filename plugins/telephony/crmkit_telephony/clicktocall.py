"""Click-to-call: a "Call" button beside every phone on a record's page (the core's
``phone_actions`` hook) asks the agent's PBX to ring the agent's extension and then dial the
client (``Provider.place_callback``), and logs the outgoing call as an activity at once.

The call's row is made here with the provider's id of the call (or our request's id, for a PBX
that echoes it back), so the call's own events, when they come, complete the same activity instead
of making a second one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from sqlalchemy import select

from crmkit import api
from crmkit_telephony import calls
from crmkit_telephony.events import CallbackRefused, Provider
from crmkit_telephony.models import Call, Extension

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext
VIEW = "telephony.calls.view"
ABOUT = ("person", "organization", "lead")

bp = Blueprint("telephony_calls", __name__, url_prefix="/telephony")


def providers() -> dict:
    return {p.key: p for found in api.hooks().telephony_providers() for p in found}


def places_calls(provider: Provider) -> bool:
    return type(provider).place_callback is not Provider.place_callback


def line_of(user) -> tuple[Provider, Extension] | None:
    """The user's extension on a provider that can place calls (the first, by provider and number)."""
    known = providers()
    lines = api.session().execute(select(Extension).where(Extension.user_id == user.id)
                                  .order_by(Extension.provider, Extension.extension).limit(20)).scalars()
    for line in lines:
        provider = known.get(line.provider)
        if provider is not None and places_calls(provider):
            return provider, line
    return None


def actions(entity, record, user) -> list:
    """The "Call" button on the phones of people, organisations and leads."""
    if entity.key not in ABOUT or not api.can(user, VIEW):
        return []
    href = url_for("telephony_calls.call", about_entity=entity.key, about_id=record.id)
    return [api.Action(_l("Call"), href, method="post")]


def about_of(user) -> tuple[str | None, int | None]:
    """The record the call is about, if the user sees it (else the number decides, as for any call)."""
    entity_key, record_id = request.args.get("about_entity", ""), request.args.get("about_id", type=int)
    if entity_key not in ABOUT or record_id is None:
        return None, None
    try:
        api.Records(entity_key, user).get(record_id)
    except api.RecordError:
        return None, None
    return entity_key, record_id


def refuse(message: str, status: int, back: str):
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message, fields={"phone": [message]}), status
    flash(message, "error")
    return redirect(back, 303)


@bp.post("/call")
def call():
    """Place a call from the agent's line to ``phone`` and log it as the agent's outgoing call."""
    user = api.current_user()
    api.require(user, VIEW)
    about_entity, about_id = about_of(user)
    back = api.local_url(request.form.get("next") or request.referrer,
                         api.detail_url(about_entity, about_id) if about_entity else url_for("home.index"))
    try:
        number = api.phone_e164(request.form.get("phone") or "")
    except ValueError as error:
        return refuse(str(error) or _("This is not a phone number."), 422, back)
    if not api.Records("activity", user).can("create"):
        return refuse(_("Your role may not log calls, so you cannot place one from here."), 403, back)
    found = line_of(user)
    if found is None:
        return refuse(_("You have no telephone extension: ask an administrator to map yours "
                        "(Administration → Telephony)."), 422, back)
    provider, line = found
    request_id = f"crmkit-{uuid.uuid4().hex[:24]}"
    try:
        call_id = provider.place_callback(line.extension, number, current_app.config, request_id=request_id)
    except CallbackRefused as error:
        return refuse(str(error), 502, back)
    placed = log_call(provider.key, call_id or request_id, line.extension, number, user, about_entity, about_id)
    message = _("Calling %(number)s: your phone rings first.", number=number)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(message=message, call=placed.id, activity=placed.activity_id), 201
    flash(message, "success")
    return redirect(back, 303)


def log_call(provider: str, call_id: str, extension: str, number: str, user, about_entity, about_id) -> Call:
    """The outgoing call's row and activity, before any event of the PBX; commits."""
    session = api.session()
    call = session.execute(select(Call).where(Call.provider == provider, Call.call_id == call_id)).scalar_one_or_none()
    if call is None:
        call = Call(provider=provider, call_id=call_id, direction="outbound", caller=extension, called=number,
                    extension=extension, user_id=user.id, about_entity=about_entity, about_id=about_id,
                    started_at=datetime.now(UTC), events=[])
        session.add(call)
        calls.match(call)
        session.flush()
    if call.activity_id is None:
        calls.file_activity(call, user)
    session.commit()
    return call
