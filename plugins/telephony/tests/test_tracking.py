"""Tracking numbers: a call to a number an admin gave a lead source carries that source on its
activity, and an unknown caller's call becomes a lead with it, once."""

import pytest
from sqlalchemy import select

from crmkit import api
from crmkit.testing.accounts import csrf_token
from crmkit_telephony.models import Extension
from crmkit_telephony.tracking import CallSource
from telephony_helpers import SECRET, activities, calls, event, post

INSTAGRAM_LINE, BILLBOARD_LINE, PLAIN_LINE = "+77272000001", "+77272000002", "+77272000009"
STRANGER = "+77019998877"


def make_source(key, names, numbers):
    from crmkit.core.leads import setup

    return setup.save(api.session(), None, key, names, True, {"number": numbers}).id


@pytest.fixture
def world(app, make_user, frozen_clock):
    app.config["TELEPHONY_WEBHOOK_SECRET"] = SECRET
    aigul = make_user("agent", name="Aigul", email="aigul@example.kz")
    bolat = make_user("agent", name="Bolat", email="bolat@example.kz")
    with app.test_request_context():
        instagram = make_source("instagram", {"en": "Instagram", "ru": "Инстаграм", "kk": "Инстаграм"}, "+7 727 200 00 01")
        billboard = make_source("billboard", {"en": "Billboard", "ru": "Билборд", "kk": "Билборд"}, "8 727 200 00 02")
        dana = api.Records("person", api.find_user(id=aigul.id)).create({"name": "Dana", "phone": "+77011234567"})
        api.session().add_all([Extension(provider="generic", extension="101", user_id=aigul.id),
                               Extension(provider="generic", extension="102", user_id=bolat.id)])
        api.session().commit()
        return {"aigul": aigul, "bolat": bolat, "instagram": instagram, "billboard": billboard, "dana": dana.id}


def a_call(client, call_id, line, caller=STRANGER, extension="101", answered=True):
    facts = {"caller": caller, "called": line, "extension": extension}
    events = [event("ringing", call_id, "09:00:00", **facts)]
    events.append(event("ended", call_id, "09:01:00", duration=60 if answered else 0, **facts))
    response = post(client, events)
    assert response.status_code == 202, response.get_json()
    return calls(client.application)[call_id]


def source_row(app, call):
    with app.app_context():
        return api.session().get(CallSource, call.id)


def test_a_call_to_a_tracking_number_carries_its_source_on_the_activity(app, client, client_for, world):
    call = a_call(client, "t1", INSTAGRAM_LINE, caller="+77011234567")
    assert (source_row(app, call).number, source_row(app, call).source_id) == (INSTAGRAM_LINE, world["instagram"])
    [activity] = activities(app, "call")
    assert {"tracking_number": INSTAGRAM_LINE, "lead_source": world["instagram"]} in activity.extra.values()
    page = client_for(world["aigul"]).get(f"/activity/{activity.id}").get_data(as_text=True)
    assert "Инстаграм" in page and INSTAGRAM_LINE in page  # the agent reads Russian


def test_a_tracking_number_typed_the_local_way_still_matches(app, client, world):
    call = a_call(client, "t2", BILLBOARD_LINE)
    assert source_row(app, call).source_id == world["billboard"]


def test_a_number_no_source_claims_is_kept_without_a_source(app, client, world):
    call = a_call(client, "t3", PLAIN_LINE)
    assert (source_row(app, call).number, source_row(app, call).source_id) == (PLAIN_LINE, None)


def test_an_unknown_callers_call_becomes_a_lead_with_the_numbers_source_once(app, client, client_for, world):
    call = a_call(client, "t4", INSTAGRAM_LINE, answered=False)
    aigul = client_for(world["aigul"])
    token = csrf_token(aigul, "/telephony/missed")
    first = aigul.post(f"/telephony/calls/{call.id}/lead", data={"csrf_token": token})
    again = aigul.post(f"/telephony/calls/{call.id}/lead", data={"csrf_token": token})
    assert first.status_code == again.status_code == 302
    with app.test_request_context():
        lead_model = api.entity("lead").model
        [lead] = api.session().execute(select(lead_model)).scalars().all()
        assert (lead.channel, lead.source_id, lead.phone_key, lead.owner_id) == (
            "telephony", world["instagram"], STRANGER, world["aigul"].id)
        assert first.headers["Location"].endswith(api.detail_url("lead", lead.id))
    assert source_row(app, call).lead_id == lead.id


def test_a_known_callers_call_does_not_become_a_lead(app, client, client_for, world):
    call = a_call(client, "t5", INSTAGRAM_LINE, caller="+77011234567")
    aigul = client_for(world["aigul"])
    response = aigul.post(f"/telephony/calls/{call.id}/lead", data={"csrf_token": csrf_token(aigul, "/telephony/missed")})
    assert response.status_code == 404


def test_another_agents_call_is_not_theirs_to_make_a_lead_of(app, client, client_for, world):
    call = a_call(client, "t6", INSTAGRAM_LINE, extension="102")
    aigul = client_for(world["aigul"])
    response = aigul.post(f"/telephony/calls/{call.id}/lead", data={"csrf_token": csrf_token(aigul, "/telephony/missed")})
    assert response.status_code == 403


def test_making_a_lead_needs_the_csrf_token(app, client, client_for, world):
    call = a_call(client, "t7", INSTAGRAM_LINE)
    assert client_for(world["aigul"]).post(f"/telephony/calls/{call.id}/lead").status_code == 400
