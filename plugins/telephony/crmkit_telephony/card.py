"""The incoming-call card: who is calling, as the agent may see them, and the two things to do
with the call at once (make an unknown caller a lead, write down what came of it).

Who is calling is the core's caller lookup (``api.caller_lookup``: people and organisations holding the number, their
last activities, what plugins add through ``caller_lookup``); the card adds their open deals (of
their organisations) and open leads (with this number, or of these people), a handful of indexed
reads each, as the card is awaited while the phone rings.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from sqlalchemy import or_

from crmkit import api
from crmkit_telephony import calls, live
from crmkit_telephony.models import Call

messages = api.Messages(__name__)
_ = messages.gettext
VIEW, VIEW_ALL = "telephony.calls.view", "telephony.calls.view_all"
SHOWN = 5
NOTE_LIMIT = 5000
CLOSED_LEADS = ("converted", "rejected")

bp = Blueprint("telephony_card", __name__, url_prefix="/telephony/card", template_folder="templates")


def call_for(user, call_id: int) -> Call:
    """The call, if it rang for this user, is theirs, or they see every agent's calls."""
    api.require(user, VIEW)
    call = api.session().get(Call, call_id)
    if call is None:
        abort(404)
    if call.user_id != user.id and not api.can(user, VIEW_ALL) and not live.told(user.id, call.id):
        abort(403)
    return call


def visible(user, entity_key: str):
    """The user's records of an entity, or None when it is absent or hidden from them."""
    try:
        records = api.Records(entity_key, user)
    except LookupError:
        return None
    return records if records.can("view") else None


def open_deals(user, organization_ids: set[int]) -> list:
    records = visible(user, "deal")
    if records is None or not organization_ids:
        return []
    model = records.model
    statement = records.select().where(model.organization_id.in_(organization_ids), model.closed_at.is_(None))
    return list(api.session().execute(statement.order_by(model.id.desc()).limit(SHOWN)).scalars())


def open_leads(user, number: str | None, person_ids: set[int]) -> list:
    records = visible(user, "lead")
    if records is None or not (number or person_ids):
        return []
    model = records.model
    which = [model.phone_key == number] if number else []
    if person_ids:
        which.append(model.person_id.in_(person_ids))
    statement = records.select().where(or_(*which), model.status.not_in(CLOSED_LEADS))
    return list(api.session().execute(statement.order_by(model.id.desc()).limit(SHOWN)).scalars())


def caller(user, call: Call) -> dict:
    """Everything the card shows about who is calling."""
    number = call.their_number if (call.their_number or "").startswith("+") else None
    found = api.caller_lookup(user, number) if number else None
    matches = found.matches if found else []
    organizations = {m.record.id for m in matches if m.entity.key == "organization"}
    organizations |= {m.organization.id for m in matches if m.organization is not None}
    people = {m.record.id for m in matches if m.entity.key == "person"}
    return {"number": found.display if found else (call.their_number or call.caller or "—"), "e164": number,
            "matches": matches, "more": bool(found and found.more),
            "deals": open_deals(user, organizations), "leads": open_leads(user, number, people)}


def state(call: Call, user) -> str:
    if call.ended_at is not None or {"ended", "missed"} & set(call.events or []):
        return "ended"
    if call.answered_at is not None:
        return "answered" if call.user_id in (None, user.id) else "elsewhere"
    return "ringing"


def lead_action(user, call: Call, who: dict) -> str | None:
    """Where "Create a lead" posts for a caller nobody knows, if the user may create leads."""
    if who["matches"] or who["leads"] or not api.can(user, "lead.create"):
        return None
    if "telephony_tracking.make_lead" in current_app.view_functions:  # with the number's lead source
        return url_for("telephony_tracking.make_lead", call_id=call.id)
    return None


ITEMS = "inventory.items"  # the core's "About objects" field on activities


@bp.get("/<int:call_id>")
def card(call_id: int):
    """The card as a fragment, for the page the call rang on (live.js puts it in place)."""
    user = api.current_user()
    call = call_for(user, call_id)
    who = caller(user, call)
    return render_template("telephony/card.html", call=call, who=who, state=state(call, user),
                           lead_url=lead_action(user, call, who), new_lead_url=new_lead_url(user, who),
                           detail_url=api.detail_url, note_limit=NOTE_LIMIT,
                           can_note=api.Records("activity", user).can("create"),
                           about_objects=bool(api.inventory_entities()))


def new_lead_url(user, who: dict) -> str | None:
    """Without the tracking numbers' one-click lead, the lead form with the number filled in."""
    if who["matches"] or who["leads"] or not api.can(user, "lead.create") or not who["e164"]:
        return None
    return api.new_url("lead", phones=who["e164"])


def answer(message: str, status: int, call: Call | None = None, field: str | None = None):
    """JSON for the card's script, a flash and a redirect for a plain form post."""
    if request.accept_mimetypes.best == "application/json":
        body = {"message": message} | ({"fields": {field: [message]}} if field else {})
        return jsonify(body), status
    flash(message, "success" if status < 400 else "error")
    fallback = api.detail_url("activity", call.activity_id) if call is not None and call.activity_id else url_for("home.index")
    return redirect(api.local_url(request.form.get("next"), fallback))


@bp.post("/<int:call_id>/note")
def note(call_id: int):
    """What came of the call, written on its activity (made now if the call is not over yet)."""
    user = api.current_user()
    call = call_for(user, call_id)
    text = (request.form.get("note") or "").strip()
    if not text:
        return answer(_("Write what came of the call."), 422, field="note")
    if len(text) > NOTE_LIMIT:
        return answer(_("Up to %(limit)d characters.", limit=NOTE_LIMIT), 422, field="note")
    values = {"body": text}
    items = (request.form.get(ITEMS) or "").strip()
    if items and api.inventory_entities():  # what the call was about, by number or address (docs/inventory.md)
        values["inventory"] = {"items": items}
    try:
        if call.activity_id is None:  # still ringing or talking: the activity is written now
            calls.file_activity(call, user)
        records = api.Records("activity", user)
        activity = records.get(call.activity_id)
        records.update(activity, values, activity.version)
    except api.Invalid as error:
        api.session().rollback()
        found = error.messages()
        field = ITEMS if found.get(ITEMS) else "note"
        return answer((found.get(field) or next(iter(found.values()), None) or [str(error)])[0], 422, field=field)
    except api.RecordError as error:
        api.session().rollback()
        return answer(str(error) or _("You may not change this call's activity."), getattr(error, "status", 400), field="note")
    api.session().commit()
    return answer(_("Saved on the call's activity."), 200, call)
