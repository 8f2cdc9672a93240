"""Posting signed call events as a PBX would, and reading back what they made."""

from __future__ import annotations

import json
import time

from sqlalchemy import select

from crmkit import api
from crmkit_telephony.generic import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature
from crmkit_telephony.models import Call

SECRET = "pbx-secret"
URL = "/telephony/webhook/generic"


def post(client, events, secret=SECRET, body=None):
    """One delivery of ``events`` (a list, or one event), signed with ``secret``."""
    raw = body if body is not None else json.dumps({"events": events} if isinstance(events, list) else events).encode()
    stamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(secret, stamp, raw), "Content-Type": "application/json"}
    return client.post(URL, data=raw, headers=headers)


def event(kind, call_id, at, direction="inbound", **facts):
    return {"event": kind, "call_id": call_id, "at": f"2026-03-02T{at}+00:00", "direction": direction, **facts}


def calls(app):
    with app.app_context():
        return {c.call_id: c for c in api.session().execute(select(Call)).scalars()}


def activities(app, kind):
    with app.app_context():
        model = api.entity("activity").model
        rows = api.session().execute(select(model).where(model.kind == kind).order_by(model.id)).scalars()
        return list(rows)
