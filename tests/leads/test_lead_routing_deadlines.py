"""Response deadlines: set on arrival from the channel's working minutes and the work calendar;
the first response by a person (a status move, an activity, a callback) recorded with the wait;
overdue leads counted on the dashboard, linked from the lead list and listed on their page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app

from crmkit import db
from crmkit.core.lead_routing import overdue
from crmkit.entities.service import Records
from tests.leads.routing import accept, add_rule, arrive, as_user, lead_of, move, response_of, set_routing

ALMATY = ZoneInfo("Asia/Almaty")
FRIDAY_EVENING = datetime(2026, 3, 13, 17, 45, tzinfo=ALMATY)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Dana Admin")


@pytest.fixture
def agent(make_user):
    return make_user("agent", name="Aigerim Agent", department="Sales")


def assigned_to(app, agent, admin, channel="form", **fields) -> int:
    """A lead that arrives now and is accepted, the rule giving it to ``agent``."""
    lead_id = arrive(app, channel, **fields)
    accept(app, lead_id, admin.id)
    return lead_id


def log_activity(app, user_id, lead_id, **fields) -> int:
    values = {"about_entity": "lead", "about_id": lead_id, "subject": "Call", **fields}
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}
    with app.app_context():
        return Records(current_app.extensions["crmkit"].entities.get("activity"), as_user(user_id)).create(values).id


# deadlines
def test_a_form_lead_on_friday_evening_is_due_on_monday_morning(app, frozen_clock):
    frozen_clock.move_to(FRIDAY_EVENING)
    lead = lead_of(app, arrive(app, "form"))
    assert utc(lead.response_due_at) == utc(at("2026-03-16T09:15"))
    assert response_of(app, lead.id).due_at is not None


def test_an_email_lead_has_two_working_hours(app, frozen_clock):
    frozen_clock.move_to(at("2026-03-13T17:00"))
    assert utc(lead_of(app, arrive(app, "email")).response_due_at) == utc(at("2026-03-16T10:00"))


def test_the_deadline_counts_from_when_the_lead_was_received(app, frozen_clock):
    frozen_clock.move_to(at("2026-03-16T12:00"))
    lead = lead_of(app, arrive(app, "webhook", received_at=utc(FRIDAY_EVENING)))
    assert utc(lead.response_due_at) == utc(at("2026-03-16T09:15"))


def test_a_lead_typed_in_by_hand_has_no_deadline(app, admin):
    with app.app_context():
        records = Records(current_app.extensions["crmkit"].entities.get("lead"), as_user(admin.id))
        lead_id = records.create({"name": "Walk-in", "channel": "manual"}).id
    assert lead_of(app, lead_id).response_due_at is None


def test_admins_set_a_channels_deadline(app, frozen_clock):
    set_routing(app, deadlines={"form": 60, "webhook": None})
    frozen_clock.move_to(at("2026-03-16T10:00"))
    assert utc(lead_of(app, arrive(app, "form")).response_due_at) == utc(at("2026-03-16T11:00"))
    assert lead_of(app, arrive(app, "webhook")).response_due_at is None


def test_another_channel_gets_the_deadline_for_the_others(app, frozen_clock):
    frozen_clock.move_to(at("2026-03-16T10:00"))
    assert utc(lead_of(app, arrive(app, "portal")).response_due_at) == utc(at("2026-03-16T11:00"))


# first response
def test_moving_the_lead_on_is_its_first_response_counted_in_working_time(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(FRIDAY_EVENING)
    lead_id = assigned_to(app, agent, admin)
    assert lead_of(app, lead_id).first_response_at is None  # accepting and assigning are no answer
    frozen_clock.move_to(at("2026-03-16T09:30"))
    move(app, lead_id, agent.id, "in_work")
    response = response_of(app, lead_id)
    assert utc(lead_of(app, lead_id).first_response_at) == utc(at("2026-03-16T09:30"))
    assert (response.how, response.by_user_id, response.working_seconds, response.late) == ("status", agent.id, 45 * 60, True)
    assert response.seconds == int((at("2026-03-16T09:30") - FRIDAY_EVENING).total_seconds())


def test_an_answer_in_time_is_not_late(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(at("2026-03-16T10:00"))
    lead_id = assigned_to(app, agent, admin)
    frozen_clock.tick(timedelta(minutes=10))
    move(app, lead_id, agent.id, "in_work")
    assert (response_of(app, lead_id).late, response_of(app, lead_id).working_seconds) == (False, 600)


def test_a_callback_logged_on_the_lead_is_its_first_response(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(at("2026-03-16T10:00"))
    lead_id = assigned_to(app, agent, admin)
    frozen_clock.move_to(at("2026-03-16T10:20"))
    log_activity(app, agent.id, lead_id, kind="call", direction="outbound", happened_at=at("2026-03-16T10:15"))
    response = response_of(app, lead_id)
    assert (response.how, response.working_seconds) == ("callback", 15 * 60)
    assert lead_of(app, lead_id).status == "assigned"  # a response, not a move


def test_a_later_action_does_not_change_the_first_response(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(at("2026-03-16T10:00"))
    lead_id = assigned_to(app, agent, admin)
    frozen_clock.move_to(at("2026-03-16T10:05"))
    log_activity(app, agent.id, lead_id, kind="note", subject="Wrote on WhatsApp")
    frozen_clock.move_to(at("2026-03-16T11:00"))
    move(app, lead_id, agent.id, "in_work")
    assert (response_of(app, lead_id).how, response_of(app, lead_id).working_seconds) == ("activity", 300)


def test_a_task_planned_on_the_lead_is_no_response_until_done(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(at("2026-03-16T10:00"))
    lead_id = assigned_to(app, agent, admin)
    log_activity(app, agent.id, lead_id, kind="task", subject="Call tomorrow", happened_at=at("2026-03-17T10:00"))
    assert lead_of(app, lead_id).first_response_at is None


def test_an_answer_leaves_the_editors_version_as_it_was(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    lead_id = assigned_to(app, agent, admin)
    version = lead_of(app, lead_id).version
    log_activity(app, agent.id, lead_id, kind="note")
    assert lead_of(app, lead_id).version == version


# overdue leads
def overdue_count(app, user_id, now):
    with app.test_request_context():
        return overdue.count(as_user(user_id), now)


def test_a_lead_past_its_deadline_without_an_answer_is_overdue(app, admin, agent, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(FRIDAY_EVENING)
    lead_id = assigned_to(app, agent, admin)
    assert overdue_count(app, admin.id, utc(at("2026-03-16T09:14"))) == 0
    assert overdue_count(app, admin.id, utc(at("2026-03-16T09:16"))) == 1
    frozen_clock.move_to(at("2026-03-16T09:30"))
    move(app, lead_id, agent.id, "in_work")
    assert overdue_count(app, admin.id, utc(at("2026-03-16T09:31"))) == 0


def test_an_agent_counts_only_their_own_overdue_leads(app, admin, agent, make_user, frozen_clock):
    other = make_user("agent", department="Sales")
    add_rule(app, strategy="user", user_id=agent.id, conditions={"lead_routing.channel": ["form"]})
    add_rule(app, strategy="user", user_id=other.id)
    frozen_clock.move_to(FRIDAY_EVENING)
    for channel in ("form", "form", "webhook"):
        assigned_to(app, agent, admin, channel)
    later = utc(at("2026-03-17T12:00"))
    assert (overdue_count(app, agent.id, later), overdue_count(app, other.id, later), overdue_count(app, admin.id, later)) == (2, 1, 3)


def test_the_dashboard_counts_overdue_leads_and_the_page_lists_them(app, admin, agent, client_for, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    frozen_clock.move_to(FRIDAY_EVENING)
    assigned_to(app, agent, admin, name="Ерлан Сапаров")
    assigned_to(app, agent, admin, channel="manual", name="No deadline")
    frozen_clock.move_to(at("2026-03-16T11:00"))
    client = client_for(admin)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'data-overdue-count="1"', home) and "Ерлан Сапаров" in home
    page = client.get("/lead_routing/overdue").get_data(as_text=True)
    assert "Ерлан Сапаров" in page and "No deadline" not in page and "Aigerim Agent" in page
    assert "Overdue leads: 1" in client.get("/lead/").get_data(as_text=True)


def test_the_overdue_page_pages_by_the_deadline(app, admin, agent, client_for, frozen_clock):
    add_rule(app, strategy="user", user_id=agent.id)
    for minute in range(3):
        frozen_clock.move_to(at("2026-03-16T10:00") + timedelta(minutes=minute))
        assigned_to(app, agent, admin, name=f"Lead {minute}")
    frozen_clock.move_to(at("2026-03-17T10:00"))
    with app.test_request_context():
        first, following = overdue.page(as_user(admin.id), limit=2)
        second, last = overdue.page(as_user(admin.id), after=following, limit=2)
    assert [lead.name for lead, _due in first + second] == ["Lead 0", "Lead 1", "Lead 2"] and last is None


def test_the_lead_page_shows_the_deadline_and_who_got_it(app, admin, agent, client_for, frozen_clock):
    add_rule(app, "Sales in turn", strategy="user", user_id=agent.id)
    frozen_clock.move_to(FRIDAY_EVENING)
    lead_id = assigned_to(app, agent, admin)
    frozen_clock.move_to(at("2026-03-16T11:00"))
    page = client_for(admin).get(f"/lead/{lead_id}").get_data(as_text=True)
    assert "Response and assignment" in page and "Sales in turn" in page and "Overdue by" in page


def test_nobody_who_cannot_see_leads_gets_the_overdue_page(app, make_user, client_for):
    from crmkit.core.access.models import Role

    with app.app_context():
        db.session().add(Role(name="reader", label="Reader", permissions=["person.view"], visibility={"*": "own"}))
        db.session().commit()
    assert client_for(make_user("reader")).get("/lead_routing/overdue").status_code == 403


def test_the_lead_list_flags_overdue_leads_and_shows_the_others_deadline(app, admin, client_for, frozen_clock):
    frozen_clock.move_to(FRIDAY_EVENING)
    arrive(app, name="Late one")
    frozen_clock.move_to(at("2026-03-16T10:00"))
    arrive(app, name="In time")
    page = client_for(admin).get("/lead/").get_data(as_text=True)
    rows = {name: re.search(rf"<tr>(?:(?!</tr>).)*{name}.*?</tr>", page, re.S).group(0) for name in ("Late one", "In time")}
    assert "⚠ Overdue by 45 minutes" in rows["Late one"]
    assert "answer by" in rows["In time"] and "Overdue" not in rows["In time"]
