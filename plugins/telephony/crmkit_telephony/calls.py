"""Events into calls, calls into activities, missed calls into the callback queue.

Every event is merged into its call's row by facts, not by arrival order: a repeat changes
nothing, an "ended" before its "ringing" or an "answered" after its "ended" still gives the call
it describes. The activity is written once the call is over and kept in step afterwards; a
missed inbound call joins the queue with a callback deadline (working minutes) and a task for
the agent, and leaves it when the client is reached again or someone marks it handled.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crmkit import api
from crmkit_telephony import tracking
from crmkit_telephony.events import CallEvent
from crmkit_telephony.models import Call, Extension

messages = api.Messages(__name__)
_l = messages.lazy_gettext
DEFAULT_CALLBACK_MINUTES = 30
INBOUND_SUBJECT = _l("Inbound call")
OUTBOUND_SUBJECT = _l("Outbound call")
CALL_BACK = _l("Call back")
MISSED_TITLE = _l("Missed call: call the client back")
NOTIFICATION_KIND = "telephony.missed"


def queue_url() -> str:
    return url_for("telephony.queue")


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def e164(number: str) -> str | None:
    try:
        return api.phone_e164(number) if number else None
    except ValueError:
        return None


def call_of(provider: str, event: CallEvent) -> Call:
    """The call's row, made by its first event; two first events at once make one row."""
    session = api.session()
    statement = select(Call).where(Call.provider == provider, Call.call_id == event.call_id)
    found = session.execute(statement).scalar_one_or_none()
    if found is not None:
        return found
    call = Call(provider=provider, call_id=event.call_id, direction=event.direction, events=[])
    try:
        with session.begin_nested():
            session.add(call)
            session.flush()
    except IntegrityError:
        return session.execute(statement).scalar_one()
    return call


def merge(call: Call, event: CallEvent) -> None:
    """The event's facts into the call, whatever came before."""
    at = utc(event.at)
    call.caller = call.caller or event.caller
    call.called = call.called or event.called
    if event.extension and (event.kind == "answered" or not call.extension):
        call.extension = event.extension
    call.started_at = min(utc(call.started_at), at) if call.started_at else at
    if event.kind == "answered":
        call.answered_at = at
    elif event.kind in ("ended", "missed"):
        call.ended_at = max(utc(call.ended_at), at) if call.ended_at else at
        if event.duration is not None:
            call.duration_seconds = event.duration
    elif event.kind == "recording":
        call.recording_url = event.recording_url or call.recording_url
    call.events = sorted({*call.events, event.kind})
    over = {"ended", "missed"} & set(call.events)
    if "answered" in call.events or ("ended" in call.events and (call.duration_seconds or 0) > 0):
        call.outcome = "answered"
    elif over:
        call.outcome = "missed"


def user_for(provider, call: Call) -> int | None:
    if not call.extension:
        return None
    session = api.session()
    mapped = session.execute(select(Extension.user_id).where(
        Extension.provider == call.provider, Extension.extension == call.extension)).scalar_one_or_none()
    if mapped is not None:
        return mapped
    email = provider.user_email_for(call.extension, current_app.config) if provider else None
    found = api.find_user(email=email) if email else None
    return found.id if found is not None else None


def match(call: Call) -> None:
    """Who the client is: the number's first person, else its first organisation."""
    number = call.caller if call.direction == "inbound" else call.called
    call.their_number = e164(number) or (number or None)
    if call.about_entity or not call.their_number or not call.their_number.startswith("+"):
        return
    holders = sorted(api.phone_holders(call.their_number), key=lambda h: (h[0] != "person", h[1]))
    if holders:
        call.about_entity, call.about_id = holders[0]


def responsible(call: Call) -> int | None:
    """Whose call it is: the user at the extension, else the owner of the client's record."""
    if call.user_id:
        return call.user_id
    if call.about_entity:
        model = api.entity(call.about_entity).model
        return api.session().execute(select(model.owner_id).where(model.id == call.about_id)).scalar_one_or_none()
    return None


def about_for(call: Call, author) -> dict:
    """The client the call is about, where ``author`` may link to them: another team's client who
    rang this agent gets the call filed without the link (kept, found by the number), not refused."""
    if call.about_entity and api.Records(call.about_entity, author).visible_ids({call.about_id}):
        return {"about_entity": call.about_entity, "about_id": call.about_id}
    return {"about_entity": None, "about_id": None}


def activity_values(call: Call) -> dict:
    ours = call.called if call.direction == "inbound" else call.caller
    subject = INBOUND_SUBJECT if call.direction == "inbound" else OUTBOUND_SUBJECT
    return {
        "kind": "call", "subject": f"{subject}: {call.their_number or '—'}"[:200], "direction": call.direction,
        "happened_at": utc(call.started_at).isoformat(), "our_address": (ours or None) and ours[:254],
        "their_address": call.their_number, "duration_seconds": call.duration_seconds, "outcome": call.outcome,
        "recording_url": call.recording_url, "about_entity": call.about_entity, "about_id": call.about_id,
    }


def file_activity(call: Call, author) -> None:
    """The call as an activity of its agent, written when it is over and kept in step after."""
    records = api.Records("activity", author)
    values = {**activity_values(call), **about_for(call, author)}
    if call.activity_id is None:
        call.activity_id = records.create(values).id
        return
    activity = records.get(call.activity_id)
    if any(getattr(activity, key) != value for key, value in values.items() if key != "happened_at"):
        records.update(activity, values, activity.version)


def close_task(call: Call, status: str) -> None:
    if call.callback_task_id is None:
        return
    author = api.find_user(id=responsible(call) or 0)
    if author is None:
        return
    records = api.Records("activity", author)
    task = records.get(call.callback_task_id)
    if task.status == "open":
        records.update(task, {"status": status}, task.version)


def leave_queue(call: Call, *, task_status: str = "done") -> None:
    call.queued = False
    close_task(call, task_status)


def enqueue_missed(call: Call, author) -> None:
    """A missed inbound call waits for a callback: its deadline, and a task for its agent."""
    if call.their_number:  # the client may have been reached already, the events came late
        later = api.session().execute(select(Call.id).where(
            Call.their_number == call.their_number, Call.outcome == "answered", Call.id != call.id,
            Call.started_at >= call.started_at).limit(1)).scalar_one_or_none()
        if later is not None:
            call.called_back_by = later
            return
    minutes = float(current_app.config.get("TELEPHONY_CALLBACK_MINUTES", DEFAULT_CALLBACK_MINUTES))
    call.queued = True
    call.callback_due_at = api.add_working_minutes(utc(call.ended_at or call.started_at), minutes)
    if author is None or call.callback_task_id is not None:
        return
    task = api.Records("activity", author).create({
        "kind": "task", "subject": f"{CALL_BACK}: {call.their_number or '—'}"[:200], "status": "open",
        "priority": "high", "happened_at": call.callback_due_at.isoformat(), **about_for(call, author),
    })
    call.callback_task_id = task.id
    api.notify(author, MISSED_TITLE, body=call.their_number or "", kind=NOTIFICATION_KIND, url=queue_url())


def reached(call: Call) -> None:
    """An answered call with a client takes every earlier missed call of theirs off the queue."""
    if call.outcome != "answered" or not call.their_number:
        return
    waiting = api.session().execute(select(Call).where(
        Call.queued.is_(True), Call.their_number == call.their_number, Call.id != call.id,
        Call.started_at <= call.started_at).limit(100)).scalars()
    for missed in waiting:
        missed.called_back_by = call.id
        leave_queue(missed)


def apply(provider, event: CallEvent) -> Call:
    """Merge one event into its call and bring the activity and the queue in step; commits."""
    call = call_of(provider.key, event)
    before = (list(call.events), call.recording_url, call.extension, call.duration_seconds, utc(call.answered_at))
    merge(call, event)
    after = (list(call.events), call.recording_url, call.extension, call.duration_seconds, utc(call.answered_at))
    if before == after:  # a repeat
        api.session().rollback()
        return call
    call.user_id = user_for(provider, call)
    call.unknown_extension = bool(call.extension) and call.user_id is None
    match(call)
    api.session().flush()
    tracking.tag(call)
    if call.outcome is not None:
        author = api.find_user(id=responsible(call) or 0)
        if author is not None:
            file_activity(call, author)
            tracking.mark_activity(call)
        missed = call.direction == "inbound" and call.outcome == "missed"
        if missed and call.handled_at is None and call.called_back_by is None and not call.queued:
            enqueue_missed(call, author)
        elif not missed and call.queued:
            leave_queue(call, task_status="cancelled")
        reached(call)
    api.session().commit()
    return call


def mark_handled(call: Call, user) -> None:
    call.handled_at = datetime.now(UTC)
    call.handled_by_id = user.id
    leave_queue(call)
    api.session().commit()
