"""Tracking numbers: the number a client dialled says where they came from.

Admins give each lead source its tracking numbers where they keep sources (Administration →
Lead intake → Sources, the "Phone numbers" values: ``api.lead_sources()`` lists them). Every
inbound call keeps the number it came in on (ours, in E.164 when it reads as a phone number) and
that number's source in ``telephony_call_source``, one row per call; the call's activity shows
both (fields the plugin adds to activities, read-only), the reports count calls per number, and a
caller nobody knows becomes a lead with that source in one click (``POST
/telephony/calls/<id>/lead``, channel ``telephony``, exactly once per call).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request
from marshmallow import Schema, fields
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from crmkit import api
from crmkit_telephony.models import Call

messages = api.Messages(__name__)
_ = messages.gettext
_l = messages.lazy_gettext
CHANNEL = "telephony"

bp = Blueprint("telephony_tracking", __name__, url_prefix="/telephony")


class CallSource(SQLModel, table=True):
    """The number an inbound call came in on and that number's lead source (None: no source
    claims it). ``lead_id`` is the lead the call became, if it did."""

    __tablename__ = "telephony_call_source"
    __table_args__ = (Index("ix_telephony_call_source_number", "number", "call_id"),)

    call_id: int = Field(primary_key=True, foreign_key="telephony_call.id")
    number: str = Field(max_length=40)
    source_id: int | None = Field(default=None, index=True)
    lead_id: int | None = Field(default=None)


class ActivityFields(Schema):
    """What a call's activity shows of its tracking: read-only, written by the plugin."""

    tracking_number = fields.String(dump_only=True, allow_none=True, metadata={"label": _l("Number dialled")})
    lead_source = api.lead_source_field(_l("Lead source"), dump_only=True, allow_none=True)


def ours(call: Call) -> str:
    """Our number in the call: the one dialled for an inbound call, in E.164 when it reads so."""
    number = (call.called if call.direction == "inbound" else call.caller) or ""
    try:
        return api.phone_e164(number) if number else ""
    except ValueError:
        return number[:40]


def numbers_to_sources() -> dict[str, int]:
    """Each tracking number (digits and +, as sources keep them) and its active source."""
    found: dict[str, int] = {}
    for source in api.lead_sources():
        if source["active"]:
            for number in source["numbers"]:
                found.setdefault(number, source["id"])
    return found


def source_of(number: str) -> int | None:
    """The source of our ``number``, matched as given, in E.164, or by its last ten digits
    (a number typed as 8 727... or +7 727... is the same line)."""
    if not number:
        return None
    table = numbers_to_sources()
    digits = "".join(ch for ch in number if ch.isdigit())
    plus = "+" + digits
    if number in table or plus in table:
        return table.get(number) or table.get(plus)
    tail = digits[-10:]
    if len(tail) < 10:
        return None
    return next((source for value, source in table.items() if value.lstrip("+")[-10:] == tail), None)


def tag(call: Call) -> CallSource | None:
    """Keep the number an inbound call came in on and its source (once; later events keep it)."""
    if call.direction != "inbound" or call.id is None:
        return None
    session = api.session()
    found = session.get(CallSource, call.id)
    if found is not None:
        return found
    number = ours(call)
    if not number:
        return None
    found = CallSource(call_id=call.id, number=number, source_id=source_of(number))
    session.add(found)
    return found


def namespace() -> str:
    """The key the plugin's activity fields are kept under in ``extra`` (the plugin's name)."""
    for part in current_app.extensions.get("crmkit.entity_extensions", {}).get("activity", []):
        if part.schema is ActivityFields:
            return part.namespace
    return "telephony"


def mark_activity(call: Call) -> None:
    """Show the call's tracking number and source on its activity (a system-written field)."""
    if call.activity_id is None or call.direction != "inbound":
        return
    tracked = api.session().get(CallSource, call.id)
    if tracked is None:
        return
    activity = api.session().get(api.entity("activity").model, call.activity_id)
    wanted = {"tracking_number": tracked.number, "lead_source": tracked.source_id}
    key = namespace()
    if activity is not None and (activity.extra or {}).get(key) != wanted:
        activity.extra = {**(activity.extra or {}), key: wanted}


@bp.route("/calls/<int:call_id>/lead", methods=["POST"])
def make_lead(call_id: int):
    """An unknown caller's call becomes a lead, with the source of the number they dialled."""
    user = api.current_user()
    api.require(user, "telephony.calls.view", "lead.create")
    call = api.session().get(Call, call_id)
    if call is None or call.direction != "inbound" or call.about_entity:
        abort(404)
    if not api.can(user, "telephony.calls.view_all") and call.user_id not in (None, user.id):
        abort(403)
    tracked = tag(call)
    number = call.their_number or call.caller
    lead, created = api.receive_lead(api.Incoming(
        channel=CHANNEL, phones=[number] if number else [], external_id=f"{call.provider}:{call.call_id}"[:200],
        received_at=call.started_at, source_hints={"number": tracked.number} if tracked else {},
        source_id=tracked.source_id if tracked else None,
        request=_("Inbound call to %(number)s", number=tracked.number if tracked else "—"),
        raw={"call": call.id, "provider": call.provider},
    ))
    if lead.owner_id is None:
        lead.owner_id = call.user_id or user.id
    if tracked is not None:
        tracked.lead_id = lead.id
    api.session().commit()
    flash(_("A lead was made from the call.") if created else _("The call had already become this lead."), "success")
    return redirect(api.local_url(request.form.get("next"), api.detail_url("lead", lead.id)))
