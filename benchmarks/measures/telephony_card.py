"""The telephony plugin's incoming-call card: how long from the PBX's ringing POST to the news on
the agent's open stream (no Redis: the stream reads the table four times a second, the slowest
path), and the card's page for callers among the size's contacts (the caller lookup, open deals
and leads), on the telephony benchmark's app.
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from benchmarks import core, world
from benchmarks.data import phone_of
from benchmarks.measures.pages import judged, with_baseline
from benchmarks.measures.telephony import telephony_app
from crmkit import db

SECRET = "benchmark-pbx-secret"
EXTENSION = "900"
RING_TARGET_MS = 1000.0
CARD_TARGET_MS = 200.0


def ring(client, number: str) -> int:
    """A signed ringing event for the admin's extension, as the PBX posts it; the call's id."""
    from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

    body = json.dumps({"event": "ringing", "call_id": f"bench-ring-{uuid.uuid4().hex}", "direction": "inbound",
                       "at": datetime.now(UTC).isoformat(), "caller": number, "called": "+77272000000",
                       "extension": EXTENSION}).encode()
    stamp = str(int(time.time()))
    response = client.post("/telephony/webhook/generic", data=body, headers={
        TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(SECRET, stamp, body), "Content-Type": "application/json"})
    if response.status_code != 202:
        raise RuntimeError(f"the webhook answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
    return response.get_json()["calls"][0]


def map_extension(app, admin_id: int) -> None:
    from crmkit_telephony.models import Extension

    with app.app_context():
        session = db.session()
        if session.execute(select(Extension).where(Extension.extension == EXTENSION)).first() is None:
            session.add(Extension(provider="generic", extension=EXTENSION, user_id=admin_id))
            session.commit()


def ring_to_stream(app, client, numbers: list[str]) -> list[float]:
    """Seconds from each POST's start to its frame on a stream read in another thread (which opens
    it too: a stream's request context belongs to the thread that reads it)."""
    arrived: queue.Queue = queue.Queue()
    opened, done = threading.Event(), threading.Event()

    def read() -> None:
        stream = client.get("/telephony/live/stream", buffered=False)
        try:
            for chunk in stream.response:
                opened.set()
                if b'"kind":"ring"' in chunk:
                    arrived.put(time.perf_counter())
                if done.is_set():
                    return
        finally:
            stream.close()

    threading.Thread(target=read, daemon=True).start()
    if not opened.wait(10):
        raise RuntimeError("the stream did not open")
    poster = app.test_client()
    samples = []
    for number in numbers:
        began = time.perf_counter()
        ring(poster, number)
        samples.append(arrived.get(timeout=10) - began)
    done.set()
    return samples


@core.measurement("telephony_card", order=69)
def telephony_card(ctx):
    app = telephony_app(ctx)
    app.config.update(TELEPHONY_WEBHOOK_SECRET=SECRET, TELEPHONY_STREAM_SECONDS=3600, TELEPHONY_STREAM_HEARTBEAT=1)
    map_extension(app, ctx.data.admin_id)
    client = world.logged_in_client(app)
    numbers = [phone_of(i - 1) for i in ctx.data.sample_person_ids[: ctx.settings.samples]]
    timed = core.latency(ring_to_stream(app, client, numbers))
    row = ctx.row("telephony_card", "ringing POST to the news on the agent's open stream (no Redis)", timed,
                  target=f"p95 < {RING_TARGET_MS:g} ms")
    yield judged(row, "p95_ms", RING_TARGET_MS)
    calls = [ring(app.test_client(), number) for number in numbers]
    page = with_baseline(ctx, "telephony_card", "the card of a caller among the contacts (admin)",
                         [f"/telephony/card/{call}" for call in calls], [], "", client=client,
                         target=f"p50 < {CARD_TARGET_MS:g} ms")
    yield judged(page, "p50_ms", CARD_TARGET_MS)
