"""How news of a ringing call reaches an agent's open pages: Server-Sent Events, else polling.

A stream never holds a server thread for long: it ends after ``TELEPHONY_STREAM_SECONDS`` (25)
and the browser reconnects after the ``retry:`` it was given, sending the id of the last event it
got (``Last-Event-ID``), so nothing is missed between two streams; a comment every
``TELEPHONY_STREAM_HEARTBEAT`` seconds (5) keeps proxies from closing an idle one and lets the
server notice a closed tab (the write fails), so a page left frees its thread within seconds.
At most ``TELEPHONY_STREAM_MAX`` streams (4) are open per process, so the pages of many agents
never take every thread of waitress or a threaded gunicorn worker; a stream refused for that
(204), or ``TELEPHONY_LIVE = "poll"``, makes the page poll ``/telephony/live/poll`` every
``TELEPHONY_POLL_SECONDS`` (3) instead.
"""

from __future__ import annotations

import json
import threading
import time

from flask import Blueprint, Response, current_app, jsonify, request, stream_with_context

from crmkit import api
from crmkit_telephony import live

VIEW = "telephony.calls.view"
DEFAULTS = {"TELEPHONY_STREAM_SECONDS": 25.0, "TELEPHONY_STREAM_HEARTBEAT": 5.0, "TELEPHONY_STREAM_MAX": 4,
            "TELEPHONY_POLL_SECONDS": 3.0, "TELEPHONY_STREAM_RETRY_MS": 3000}
TABLE_EVERY = 0.25  # seconds between two reads of the table when no Redis wakes the stream

bp = Blueprint("telephony_live", __name__, url_prefix="/telephony/live", static_folder="static",
               static_url_path="/static")


def setting(name: str) -> float:
    return type(DEFAULTS[name])(current_app.config.get(name, DEFAULTS[name]))


def streaming() -> bool:
    return str(current_app.config.get("TELEPHONY_LIVE", "sse")).lower() != "poll"


def slots() -> threading.BoundedSemaphore:
    """This process's open streams, at most ``TELEPHONY_STREAM_MAX``."""
    found = current_app.extensions.get("telephony.streams")
    if found is None:
        found = current_app.extensions["telephony.streams"] = threading.BoundedSemaphore(max(1, int(setting("TELEPHONY_STREAM_MAX"))))
    return found


def frame(event: dict) -> str:
    return f"id: {event['id']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n"


def cursor_asked() -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.args.get("after") or ""
    return max(0, int(raw)) if raw.strip().isdigit() else None


@bp.get("/poll")
def poll():
    """``{"events": [...], "cursor": n}``: the news after ``?after=n``; without it, the calls
    ringing for the user now and the cursor to poll from."""
    user = api.current_user()
    api.require(user, VIEW)
    after = cursor_asked()
    if after is None:
        events, cursor = live.start(user.id)
    else:
        events = live.since(user.id, after)
        cursor = events[-1]["id"] if events else after
    return jsonify(events=events, cursor=cursor, poll_seconds=setting("TELEPHONY_POLL_SECONDS"))


@bp.get("/stream")
def stream():
    user = api.current_user()
    api.require(user, VIEW)
    held = slots()
    if not streaming() or not held.acquire(blocking=False):
        return Response(status=204)  # the page polls instead
    user_id, after = user.id, cursor_asked()
    seconds, beat = setting("TELEPHONY_STREAM_SECONDS"), setting("TELEPHONY_STREAM_HEARTBEAT")
    retry = int(setting("TELEPHONY_STREAM_RETRY_MS"))
    waker = Waker(user_id)

    def events():
        try:
            yield f"retry: {retry}\n\n"
            if after is None:
                opening, cursor = live.start(user_id)
                yield from (frame(event) for event in opening)
            else:
                cursor = after
            end, next_beat = time.monotonic() + seconds, time.monotonic() + beat
            while (left := end - time.monotonic()) > 0:
                news = live.since(user_id, cursor)
                api.session().rollback()  # ends the read: no connection held while waiting
                for event in news:
                    cursor = event["id"]
                    yield frame(event)
                if time.monotonic() >= next_beat:
                    yield ": heartbeat\n\n"
                    next_beat = time.monotonic() + beat
                waker.wait(min(left, max(0.0, next_beat - time.monotonic())))
        finally:
            waker.close()

    released = []

    def release() -> None:  # once, when the server closes the response, whether it was read or not
        if not released:
            released.append(True)
            waker.close()
            held.release()

    response = Response(stream_with_context(events()), mimetype="text/event-stream",
                        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    response.call_on_close(release)
    return response


class Waker:
    """Waits for the user's Redis channel to announce news, or a quarter of a second without Redis."""

    def __init__(self, user_id: int):
        self.pubsub = None
        client = live.redis_client()
        if client is not None:
            try:
                self.pubsub = client.pubsub(ignore_subscribe_messages=True)
                self.pubsub.subscribe(live.channel(user_id))
            except Exception:  # noqa: BLE001 - Redis down: read the table instead
                self.pubsub = None

    def wait(self, most: float) -> None:
        if self.pubsub is not None:
            try:
                self.pubsub.get_message(timeout=most)
                return
            except Exception:  # noqa: BLE001 - Redis went away mid-stream
                self.pubsub = None
        time.sleep(min(most, TABLE_EVERY))

    def close(self) -> None:
        pubsub, self.pubsub = self.pubsub, None
        if pubsub is not None:
            try:
                pubsub.close()
            except Exception:  # noqa: BLE001 - closing what is already gone
                pass
