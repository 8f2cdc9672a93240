"""Calls happening now, as a PBX posts them, for the incoming-call card's tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crmkit import api
from crmkit_telephony.models import Extension
from telephony_helpers import SECRET, post

DANA = "+77011234567"
STRANGER = "+77019998877"
OFFICE = "+77272000000"


def now_event(kind, call_id, extension="101", caller=DANA, ago=0, **facts):
    at = (datetime.now(UTC) - timedelta(seconds=ago)).isoformat()
    return {"event": kind, "call_id": call_id, "at": at, "direction": "inbound", "caller": caller,
            "called": OFFICE, "extension": extension, **facts}


def ring(client, call_id, **facts):
    response = post(client, now_event("ringing", call_id, **facts))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["calls"][0]


@pytest.fixture
def office(app, make_user):
    """Two agents with extensions 101 and 102 (English pages), and Dana, a client of Aigul's."""
    app.config["TELEPHONY_WEBHOOK_SECRET"] = SECRET
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz", locale="en")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz", locale="en")
    with app.test_request_context():
        acting = api.find_user(id=aigul.id)
        org = api.Records("organization", acting).create({"name": "Steppe Logistics"})
        dana = api.Records("person", acting).create({"name": "Dana Nurlanovna", "phone": DANA, "organization_id": org.id})
        api.Records("activity", acting).create({"kind": "note", "subject": "Asked for a price list",
                                                "about_entity": "person", "about_id": dana.id})
        api.session().add_all([Extension(provider="generic", extension="101", user_id=aigul.id),
                               Extension(provider="generic", extension="102", user_id=bolat.id)])
        api.session().commit()
        return {"aigul": aigul, "bolat": bolat, "dana": dana.id, "org": org.id}
