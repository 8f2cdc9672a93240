"""Quality control: rejected, stale and lost leads wait in the re-processing queue until a
controller returns them to work (the owner told) or confirms the rejection."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.lead_triage.models import Review
from crmkit.core.leads.models import Lead
from tests.leads.triaging import arrive, assign, count, lead_of, new_pipeline, post, sweep
from tests.pipelining import acting_as
from tests.test_reminders import Inbox, smtp_server  # noqa: F401 - a real SMTP server for the owner's notice


@pytest.fixture
def app(make_app, smtp_server):  # noqa: F811
    controller, _inbox = smtp_server
    return make_app(JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                    MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz")


@pytest.fixture
def inbox(smtp_server) -> Inbox:  # noqa: F811
    return smtp_server[1]


@pytest.fixture
def manager(make_user):
    return make_user("manager", department="Sales", locale="en")


@pytest.fixture
def agent(make_user):
    return make_user("agent", department="Sales", locale="en", name="Aigerim")


def reviews(app, lead_id) -> list[Review]:
    with app.app_context():
        return list(db.session().execute(select(Review).where(Review.lead_id == lead_id).order_by(Review.id)).scalars())


def test_a_stale_lead_enters_the_queue_once_its_days_without_action_pass(app, frozen_clock, manager, agent):
    lead_id = arrive(app)
    assign(app, lead_id, agent, manager)
    frozen_clock.tick(timedelta(days=2, hours=23))
    assert sweep(app)["stale"] == 0 and lead_of(app, lead_id).status == "assigned"
    frozen_clock.tick(timedelta(hours=2))
    assert sweep(app)["stale"] == 1
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.reprocess_reason, lead.owner_id) == ("reprocessing", "stale", agent.id)
    assert [(r.reason, r.outcome) for r in reviews(app, lead_id)] == [("stale", None)]
    assert sweep(app)["stale"] == 0  # once


def test_the_admins_set_the_stale_days(app, frozen_clock, manager, agent, make_user, client_for):
    admin = client_for(make_user("admin", locale="en"))
    refused = post(admin, "/lead_triage/control/settings", {"stale_days": "zero"}, "/lead_triage/control/settings")
    assert refused.status_code == 422 and "A whole number of days from 1 to 365." in refused.text
    post(admin, "/lead_triage/control/settings", {"stale_days": "7", "skipped_reasons": ["spam"]}, "/lead_triage/control/settings")
    lead_id = arrive(app)
    assign(app, lead_id, agent, manager)
    frozen_clock.tick(timedelta(days=5))
    sweep(app)
    assert lead_of(app, lead_id).status == "assigned"
    frozen_clock.tick(timedelta(days=3))
    sweep(app)
    assert lead_of(app, lead_id).status == "reprocessing"


def test_only_admins_set_up_quality_control(client_for, manager):
    assert client_for(manager).get("/lead_triage/control/settings").status_code == 403


def test_an_action_on_the_lead_keeps_it_fresh(app, frozen_clock, manager, agent):
    lead_id = arrive(app)
    assign(app, lead_id, agent, manager)
    frozen_clock.tick(timedelta(days=2))
    with acting_as(app, agent.email, "lead") as leads:
        leads.update(leads.get(lead_id), {"status": "in_work"}, None)
    frozen_clock.tick(timedelta(days=2))
    sweep(app)
    assert lead_of(app, lead_id).status == "in_work"


def test_a_rejection_made_elsewhere_is_caught_by_the_job_but_spam_is_not(app, manager):
    kept, spam = arrive(app, name="Kept"), arrive(app, name="Spam")
    with acting_as(app, manager.email, "lead") as leads:
        leads.update(leads.get(kept), {"status": "rejected", "rejection_reason": "no_answer"}, None)
        leads.update(leads.get(spam), {"status": "rejected", "rejection_reason": "spam"}, None)
    assert sweep(app)["rejected"] == 1
    assert (lead_of(app, kept).status, lead_of(app, spam).status) == ("reprocessing", "rejected")


def test_a_lost_deal_sends_its_lead_to_quality_control_in_the_same_transaction(app, manager, client_for):
    stages = new_pipeline(app)
    client = client_for(manager)
    lead_id = arrive(app)
    page = f"/lead_triage/{lead_id}/convert"
    post(client, page, {"person": "none", "organization": "none", "deal": "new", "title": "Квартира"}, page)
    deal_id = lead_of(app, lead_id).deal_id
    with acting_as(app, manager.email) as deals:
        from crmkit.core.pipelines import setup

        reason = setup.add_loss_reason(deals.db, {"en": "Bought elsewhere"}).id
        deals.update(deals.get(deal_id), {"stage_id": stages["Lost"], "loss_reason_id": reason}, None)
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.reprocess_reason, lead.deal_id) == ("reprocessing", "lost", deal_id)
    queue = client.get("/lead_triage/control/").text
    assert "Квартира" in queue and "lost: Bought elsewhere" in queue


def test_a_converted_lead_is_not_re_processed_while_its_deal_is_open(app, manager, client_for):
    new_pipeline(app)
    client = client_for(manager)
    lead_id = arrive(app)
    page = f"/lead_triage/{lead_id}/convert"
    post(client, page, {"person": "none", "organization": "none", "deal": "new", "title": "Open"}, page)
    with acting_as(app, manager.email, "lead") as leads:
        from crmkit.entities.errors import Invalid

        with pytest.raises(Invalid):
            leads.update(leads.get(lead_id), {"status": "reprocessing", "reprocess_reason": "lost"}, None)
    assert sweep(app)["lost"] == 0


def test_the_queue_shows_each_lead_with_its_reason_and_history(app, manager, client_for):
    client = client_for(manager)
    lead_id = arrive(app, name="Серик")
    post(client, f"/lead_triage/{lead_id}/reject", {"reason": "not_target", "note": "Ищет склад"})
    page = client.get("/lead_triage/control/").text
    assert "Серик" in page and "Not our client" in page and "Ищет склад" in page
    assert "New → Rejected" in page and "Rejected → Re-processing" in page


def test_returning_a_lead_to_work_tells_its_owner(app, manager, agent, client_for, inbox):
    client = client_for(manager)
    lead_id = arrive(app, name="Мадина")
    assign(app, lead_id, agent, manager)
    with acting_as(app, agent.email, "lead") as leads:
        leads.update(leads.get(lead_id), {"status": "rejected", "rejection_reason": "no_answer"}, None)
    sweep(app)
    response = post(client, f"/lead_triage/control/{lead_id}/return",
                    {"state": "in_work", "owner_id": str(agent.id), "comment": "Перезвоните вечером"}, "/lead_triage/control/")
    assert response.status_code == 302
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.owner_id, lead.reprocess_reason, lead.rejection_reason) == ("in_work", agent.id, None, None)
    assert [(r.reason, r.outcome, r.comment) for r in reviews(app, lead_id)] == [("rejected", "returned", "Перезвоните вечером")]
    message = inbox.parsed()[-1]
    assert message["To"] == agent.email and "Мадина" in message["Subject"]
    assert "Перезвоните вечером" in message.get_body(("plain",)).get_content()
    assert "Перезвоните вечером" in client_for(agent).get("/my-day").text


def test_a_lead_with_no_owner_needs_one_to_go_back_to_work(app, manager, client_for):
    client = client_for(manager)
    lead_id = arrive(app)
    post(client, f"/lead_triage/{lead_id}/reject", {"reason": "other"})
    post(client, f"/lead_triage/control/{lead_id}/return", {"state": "assigned"}, "/lead_triage/control/")
    assert lead_of(app, lead_id).status == "reprocessing"
    assert "Choose who works on this lead." in client.get("/lead_triage/control/").text


def test_confirming_the_rejection_ends_it_for_good(app, manager, client_for):
    client = client_for(manager)
    lead_id = arrive(app)
    post(client, f"/lead_triage/{lead_id}/reject", {"reason": "not_target"})
    post(client, f"/lead_triage/control/{lead_id}/confirm", {"comment": "Верно"}, "/lead_triage/control/")
    lead = lead_of(app, lead_id)
    assert (lead.status, lead.rejection_reason, lead.reprocess_reason) == ("rejected", "not_target", "rejected")
    assert [(r.outcome, r.comment) for r in reviews(app, lead_id)] == [("confirmed", "Верно")]
    assert sweep(app)["rejected"] == 0 and lead_of(app, lead_id).status == "rejected"


def test_a_stale_lead_is_confirmed_with_a_reason_chosen_then(app, frozen_clock, manager, agent, client_for):
    client = client_for(manager)
    lead_id = arrive(app)
    assign(app, lead_id, agent, manager)
    frozen_clock.tick(timedelta(days=4))
    sweep(app)
    post(client, f"/lead_triage/control/{lead_id}/confirm", {"comment": "Не дозвонились"}, "/lead_triage/control/")
    assert lead_of(app, lead_id).status == "reprocessing"
    post(client, f"/lead_triage/control/{lead_id}/confirm", {"comment": "Не дозвонились", "reason": "no_answer"},
         "/lead_triage/control/")
    assert (lead_of(app, lead_id).status, lead_of(app, lead_id).rejection_reason) == ("rejected", "no_answer")


def test_agents_have_no_quality_control(app, agent, client_for):
    lead_id = arrive(app)
    client = client_for(agent)
    assert client.get("/lead_triage/control/").status_code == 403
    assert post(client, f"/lead_triage/control/{lead_id}/confirm", {"reason": "spam"}, "/").status_code == 403
    assert count(app, Lead, Lead.status == "new") == 1
