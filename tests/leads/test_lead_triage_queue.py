"""The unsorted queue and its actions: each allowed to those who triage, each one transaction."""

from __future__ import annotations

import re

import pytest

from sqlalchemy import select

from crmkit import db
from crmkit.core.lead_triage.models import Conversion, DealOrigin, Review
from crmkit.entities.history import Change
from crmkit.entities.transitions import Transition
from tests.leads.triaging import arrive, count, lead_of, new_pipeline, post
from tests.pipelining import acting_as


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def test_the_queue_lists_new_leads_oldest_first_with_channel_source_and_request(app, manager_client, make_source):
    source = make_source("krisha", {"en": "Krisha.kz"}, utm_source="krisha")
    first = arrive(app, name="Первый", request="2-комнатная в Алмалинском", utm={"utm_source": "krisha"})
    second = arrive(app, channel="webhook", name="Второй", phones=["+7 701 111 22 33"])
    page = manager_client.get("/lead_triage/").text
    assert page.index("Первый") < page.index("Второй")
    assert "Krisha.kz" in page and "2-комнатная в Алмалинском" in page and "+7 701 111 22 33" in page
    assert f'id="lead-{first}"' in page and f'id="lead-{second}"' in page
    assert lead_of(app, first).source_id == source


def test_the_queue_pages_through_many_leads(app, manager_client):
    ids = [arrive(app, name=f"Lead {n:02d}") for n in range(27)]
    first = manager_client.get("/lead_triage/").text
    assert "Lead 00" in first and "Lead 24" in first and "Lead 25" not in first
    after = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = manager_client.get(after).text
    assert "Lead 25" in second and "Lead 26" in second and "Lead 24" not in second
    assert f'id="lead-{ids[-1]}"' in second


def test_the_queue_shows_only_new_leads_of_the_chosen_channel(app, manager_client):
    arrive(app, channel="form", name="From the form")
    arrive(app, channel="webhook", name="From a portal")
    page = manager_client.get("/lead_triage/?channel=webhook").text
    assert "From a portal" in page and "From the form" not in page


def test_an_agent_may_not_triage(app, make_user, client_for):
    lead_id = arrive(app)
    agent = client_for(make_user("agent"))
    assert agent.get("/lead_triage/").status_code == 403
    assert post(agent, f"/lead_triage/{lead_id}/accept", {}, page="/").status_code == 403
    assert post(agent, "/lead_triage/bulk", {"lead": lead_id, "action": "accept"}, page="/").status_code == 403
    assert lead_of(app, lead_id).status == "new"


def test_accepting_moves_the_lead_to_accepted_as_the_user(app, manager_client):
    lead_id = arrive(app)
    response = post(manager_client, f"/lead_triage/{lead_id}/accept", {"version": lead_of(app, lead_id).version})
    assert response.status_code == 302
    assert lead_of(app, lead_id).status == "accepted"
    with app.app_context():
        move = db.session().execute(select(Transition).where(Transition.entity == "lead", Transition.record_id == lead_id,
                                                             Transition.to_state == "accepted")).scalar_one()
        assert move.user_id is not None


def test_a_stale_form_changes_nothing(app, manager_client):
    lead_id = arrive(app)
    version = lead_of(app, lead_id).version
    post(manager_client, f"/lead_triage/{lead_id}/accept", {"version": version})
    again = post(manager_client, f"/lead_triage/{lead_id}/reject", {"version": version, "reason": "spam"})
    assert again.status_code == 302
    assert lead_of(app, lead_id).status == "accepted"


def test_rejecting_sends_the_lead_to_quality_control_with_its_reason(app, manager_client):
    lead_id = arrive(app)
    post(manager_client, f"/lead_triage/{lead_id}/reject", {"reason": "not_target", "note": "Ищет коммерческую"})
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.rejection_reason, lead.reprocess_reason) == ("reprocessing", "not_target", "rejected")
    assert lead.rejection_note == "Ищет коммерческую"
    assert count(app, Review, Review.lead_id == lead_id, Review.reason == "rejected", Review.outcome.is_(None)) == 1


def test_rejecting_as_spam_is_only_a_rejection(app, manager_client):
    lead_id = arrive(app)
    post(manager_client, f"/lead_triage/{lead_id}/reject", {"reason": "spam"})
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.rejection_reason, lead.reprocess_reason) == ("rejected", "spam", None)
    assert count(app, Review, Review.lead_id == lead_id) == 0


def test_rejecting_needs_a_reason_from_the_list(app, manager_client):
    lead_id = arrive(app)
    response = post(manager_client, f"/lead_triage/{lead_id}/reject", {"reason": "bored"})
    assert response.status_code == 302
    assert lead_of(app, lead_id).status == "new"
    assert "Choose a reason from the list." in manager_client.get("/lead_triage/").text


def test_marking_a_duplicate_of_a_person_rejects_it_pointing_at_the_person(app, make_user, client_for):
    manager = make_user("manager", department="Sales", locale="en")
    manager_client = client_for(manager)
    lead_id = arrive(app, phones=["8 701 555 44 33"])
    with acting_as(app, manager.email, "person") as people:
        person = people.create({"name": "Айгуль С.", "phone": "+77015554433"}).id
    page = manager_client.get("/lead_triage/").text
    assert "Айгуль С." in page and "same phone +7 701 555 44 33" in page
    post(manager_client, f"/lead_triage/{lead_id}/duplicate", {"target": "person", "target_id": person})
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.rejection_reason, lead.person_id) == ("rejected", "duplicate", person)
    assert lead.reprocess_reason is None  # duplicates skip quality control by default


def test_marking_a_duplicate_of_another_lead(app, manager_client):
    first = arrive(app, emails=["dana@example.kz"])
    second = arrive(app, emails=["Dana@Example.kz"])
    post(manager_client, f"/lead_triage/{second}/duplicate", {"target": "lead", "target_id": first})
    lead = lead_of(app, second)
    assert (lead.status, lead.duplicate_of_id) == ("rejected", first)


def test_a_lead_is_not_a_duplicate_of_itself(app, manager_client):
    lead_id = arrive(app)
    post(manager_client, f"/lead_triage/{lead_id}/duplicate", {"target": "lead", "target_id": lead_id})
    assert lead_of(app, lead_id).status == "new"


def test_linking_to_a_deal_converts_the_lead_into_it_and_gives_it_to_the_deals_owner(app, make_user, client_for):
    stages = new_pipeline(app)
    manager_client = client_for(make_user("manager", department="Sales"))
    owner = make_user("agent", department="Sales")
    lead_id = arrive(app, utm={"utm_source": "instagram", "utm_campaign": "spring"})
    with acting_as(app, make_user("admin").email) as deals:
        deal = deals.create({"title": "Квартира на Абая", "pipeline_id": stages["pipeline"]})
        deals.assign_owner(deal, owner.id)
        deal_id = deal.id
    response = post(manager_client, f"/lead_triage/{lead_id}/link", {"deal_id": deal_id})
    assert response.status_code == 302 and response.location.endswith(f"/deal/{deal_id}")
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.deal_id, lead.owner_id) == ("converted", deal_id, owner.id)
    assert count(app, Conversion, Conversion.lead_id == lead_id, Conversion.deal_id == deal_id, Conversion.created.is_(False)) == 1
    with app.app_context():
        origin = db.session().get(DealOrigin, deal_id)
        assert (origin.lead_id, origin.utm_source, origin.utm_campaign) == (lead_id, "instagram", "spring")


def test_linking_to_a_deal_the_user_cant_see_changes_nothing(app, manager_client):
    lead_id = arrive(app)
    response = post(manager_client, f"/lead_triage/{lead_id}/link", {"deal_id": 999})
    assert response.status_code == 422
    assert lead_of(app, lead_id).status == "new"


def test_several_leads_are_accepted_at_once(app, manager_client):
    ids = [arrive(app, name=f"Bulk {n}") for n in range(3)]
    response = manager_client.post("/lead_triage/bulk", data={
        "lead": ids, "action": "accept", "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                                                                 manager_client.get("/lead_triage/").text).group(1)})
    assert response.status_code == 302
    assert [lead_of(app, i).status for i in ids] == ["accepted"] * 3


def test_several_leads_are_rejected_at_once_with_one_reason(app, manager_client):
    ids = [arrive(app, name=f"Bulk {n}") for n in range(2)]
    post(manager_client, f"/lead_triage/{ids[0]}/accept", {})  # moved meanwhile: it stays accepted
    token = re.search(r'name="csrf_token" value="([^"]+)"', manager_client.get("/lead_triage/").text).group(1)
    manager_client.post("/lead_triage/bulk", data={"lead": ids, "action": "reject", "reason": "spam", "csrf_token": token})
    assert lead_of(app, ids[0]).status == "rejected"  # accepted leads may be rejected too
    assert lead_of(app, ids[1]).rejection_reason == "spam"


def test_every_action_is_in_the_leads_history(app, manager_client):
    lead_id = arrive(app)
    post(manager_client, f"/lead_triage/{lead_id}/reject", {"reason": "no_answer"})
    with app.app_context():
        changes = db.session().execute(select(Change.changes).where(Change.entity == "lead", Change.record_id == lead_id,
                                                                    Change.action == "update")).scalars().all()
    assert any(c.get("status") == ["new", "rejected"] for c in changes)
    assert any(c.get("status") == ["rejected", "reprocessing"] for c in changes)
    assert lead_of(app, lead_id).last_action_at is not None
