"""The incoming-call card: news of a call ringing for an agent reaches only that agent's pages,
once, and the card shows who is calling as that agent may see them, with what to do next."""

from __future__ import annotations

import sys

import pytest
from sqlalchemy import select

from crmkit import api
from crmkit.testing.accounts import csrf_token
from crmkit_telephony.live import Push
from live_helpers import DANA, STRANGER, now_event, office, ring  # noqa: F401 - office is a fixture
from telephony_helpers import activities, calls, post


@api.hookimpl
def caller_lookup(entity, record, user):
    """This module as a plugin that knows which objects a client discussed (as real estate does)."""
    return {"objects": [{"title": "Flat on Abay 10", "url": "/objects/7"}]} if entity.key == "person" else None


@pytest.fixture
def crmkit_plugins():
    return ["crmkit_telephony.hooks", sys.modules[__name__]]


def news(client, after=None):
    response = client.get("/telephony/live/poll", query_string={} if after is None else {"after": after})
    assert response.status_code == 200
    return response.get_json()


def test_a_ringing_call_is_news_for_the_agent_at_its_extension_alone(client, client_for, office):
    aigul, bolat = client_for(office["aigul"]), client_for(office["bolat"])
    start = news(aigul)["cursor"]
    call = ring(client, "r1")
    [event] = news(aigul, start)["events"]
    assert (event["kind"], event["call"], event["card"]) == ("ring", call, f"/telephony/card/{call}")
    assert news(bolat, start)["events"] == []


def test_a_page_opened_while_the_phone_rings_shows_the_card_and_not_once_it_is_over(client, client_for, office):
    aigul = client_for(office["aigul"])
    ring(client, "r1")
    assert [e["kind"] for e in news(aigul)["events"]] == ["ring"]
    post(client, now_event("ended", "r1", duration=0))
    assert news(aigul)["events"] == []


def test_a_repeated_ringing_event_is_news_once(client, client_for, office):
    aigul = client_for(office["aigul"])
    start = news(aigul)["cursor"]
    ring(client, "r1")
    ring(client, "r1")
    assert len(news(aigul, start)["events"]) == 1


def test_a_replayed_ringing_event_from_long_ago_opens_no_card(app, client, client_for, office):
    ring(client, "old", ago=600)
    with app.app_context():
        assert api.session().execute(select(Push)).first() is None


def test_an_answer_at_another_extension_tells_the_first_agent_it_was_answered_elsewhere(client, client_for, office):
    aigul = client_for(office["aigul"])
    start = news(aigul)["cursor"]
    ring(client, "q1", extension="101", caller=STRANGER)
    post(client, now_event("answered", "q1", extension="102", caller=STRANGER))
    post(client, now_event("ended", "q1", extension="102", caller=STRANGER, duration=30))
    assert [(e["kind"], e["elsewhere"]) for e in news(aigul, start)["events"]] == [
        ("ring", False), ("answered", True), ("ended", False)]


def test_the_card_shows_the_caller_their_organisation_deals_leads_and_last_activities(app, client, client_for, office):
    from crmkit.core.pipelines import setup

    with app.test_request_context():
        acting = api.find_user(id=office["aigul"].id)
        pipeline = setup.create_pipeline(api.session(), {"en": "Sales"})
        first = setup.stages_of(api.session(), pipeline.id)[0]
        api.Records("deal", acting).create({"title": "Fleet insurance", "organization_id": office["org"],
                                            "pipeline_id": pipeline.id, "stage_id": first.id})
        lead, _created = api.receive_lead(api.Incoming(channel="manual", name="Dana again", phones=[DANA]))
        lead.owner_id = acting.id
        api.session().commit()
    call = ring(client, "r1")
    page = client_for(office["aigul"]).get(f"/telephony/card/{call}").get_data(as_text=True)
    for shown in ("Dana Nurlanovna", "Steppe Logistics", "Fleet insurance", "Dana again", "Asked for a price list",
                  f'href="/person/{office["dana"]}"', "Log the outcome"):
        assert shown in page
    assert "Create a lead" not in page


def test_the_card_shows_what_plugins_add_about_the_caller(client, client_for, office):
    call = ring(client, "r1")
    page = client_for(office["aigul"]).get(f"/telephony/card/{call}").get_data(as_text=True)
    assert '<a href="/objects/7">Flat on Abay 10</a>' in page


def test_an_unknown_callers_card_offers_to_create_a_lead(client, client_for, office):
    call = ring(client, "u1", caller=STRANGER)
    page = client_for(office["aigul"]).get(f"/telephony/card/{call}").get_data(as_text=True)
    assert "Nobody with this number is in the CRM." in page and "Create a lead" in page


def test_another_agents_card_is_not_theirs_to_see(client, client_for, office):
    call = ring(client, "r1", extension="101")
    assert client_for(office["bolat"]).get(f"/telephony/card/{call}").status_code == 403
    assert client_for("admin").get(f"/telephony/card/{call}").status_code == 200
    assert client_for(office["aigul"]).get("/telephony/card/999999").status_code == 404


def log(client, call, note):
    token = csrf_token(client, "/telephony/missed")
    return client.post(f"/telephony/card/{call}/note", data={"csrf_token": token, "note": note},
                       headers={"Accept": "application/json"})


def test_the_outcome_logged_while_talking_is_on_the_calls_activity_once_the_call_ends(app, client, client_for, office):
    aigul = client_for(office["aigul"])
    call = ring(client, "r1")
    post(client, now_event("answered", "r1"))
    response = log(aigul, call, "Wants a quote for six trucks by Friday")
    assert response.status_code == 200 and response.get_json()["message"]
    post(client, now_event("ended", "r1", duration=95))
    [activity] = activities(app, "call")
    assert (activity.body, activity.outcome, activity.duration_seconds, activity.owner_id) == (
        "Wants a quote for six trucks by Friday", "answered", 95, office["aigul"].id)
    assert calls(app)["r1"].activity_id == activity.id


def test_an_empty_or_overlong_outcome_is_refused_naming_the_field(client, client_for, office):
    aigul = client_for(office["aigul"])
    call = ring(client, "r1")
    for note in ("   ", "x" * 5001):
        response = log(aigul, call, note)
        assert response.status_code == 422 and "note" in response.get_json()["fields"]


def test_the_region_for_cards_is_on_every_page_of_an_agent_and_its_script_is_a_file(client_for, office):
    page = client_for(office["aigul"]).get("/").get_data(as_text=True)
    assert 'class="tel-live"' in page and 'aria-live="assertive"' in page
    assert 'src="/telephony/live/static/live.js"' in page and 'data-stream-url="/telephony/live/stream"' in page


@pytest.mark.parametrize("locale, text", [("ru", "Входящий звонок"), ("kk", "Кіріс қоңырау")])
def test_the_card_speaks_russian_and_kazakh(client, client_for, make_user, office, locale, text):
    user = make_user("agent", locale=locale)
    with client.application.app_context():
        from crmkit_telephony.models import Extension

        api.session().add(Extension(provider="generic", extension="300", user_id=user.id))
        api.session().commit()
    call = ring(client, "r1", extension="300")
    assert text in client_for(user).get(f"/telephony/card/{call}").get_data(as_text=True)
