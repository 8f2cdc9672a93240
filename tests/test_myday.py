"""My day: the user's overdue and today's tasks (in their time zone), upcoming meetings, missed
calls to return, the Done button, and the calendar page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.myday import queries
from crmkit.entities.history import Change
from crmkit.entities.service import Records
from tests.people import client_as, person

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def agent(app):
    return person(app, "agent@example.com", role="agent", name="Aigerim", timezone="Asia/Almaty", locale="en")


@pytest.fixture
def agent_client(app, agent):
    return client_as(app, "agent@example.com")


def user_of(user_id: int) -> User:
    return db.session().get(User, user_id)


def add(app, user_id: int, entity: str = "activity", **fields) -> int:
    """Create a record as the user, through Records as every page does; moments as aware datetimes."""
    values = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in fields.items()}
    with app.app_context():
        return Records(current_app.extensions["crmkit"].entities.get(entity), user_of(user_id)).create(values).id


def task(app, user_id, due: datetime, subject="Call back", **fields) -> int:
    return add(app, user_id, kind="task", subject=subject, happened_at=due, **fields)


def local_today(hour: int, days: int = 0, zone=ALMATY) -> datetime:
    """``hour`` o'clock of today (plus ``days``) in ``zone``, as the user's calendar has it."""
    today = datetime.now(zone).date() + timedelta(days=days)
    return datetime(today.year, today.month, today.day, hour, tzinfo=zone)


def sections_at(app, user_id: int, now: datetime) -> dict[str, list[str]]:
    with app.test_request_context():
        found = queries.my_day(user_of(user_id), now=now)
        return {section.name: [item.subject for item in section.items] for section in found}


def html(client, url="/my-day") -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section_html(page: str, name: str) -> str:
    found = re.search(rf'<section class="card myday-section" id="{name}".*?</section>', page, re.DOTALL)
    return found.group(0) if found else ""


def test_my_day_comes_first_in_the_navigation_with_the_number_of_due_tasks(app, agent, agent_client):
    task(app, agent, local_today(10, days=-2), "Overdue")
    task(app, agent, local_today(18), "Today")
    task(app, agent, local_today(10, days=1), "Tomorrow")
    nav = html(agent_client, "/").split("<nav", 1)[1].split("</nav>", 1)[0]
    first = re.search(r'<a href="([^"]+)"[^>]*>(.*?)</a>', nav, re.DOTALL)
    assert first.group(1) == "/my-day"
    assert 'data-due="2"' in first.group(2) and "2 tasks due" in first.group(2)


def test_a_task_due_just_after_local_midnight_is_today_not_overdue(app, agent):
    # 00:30 in Almaty is 19:30 UTC the day before: by UTC dates it would look overdue.
    task(app, agent, datetime(2025, 5, 15, 0, 30, tzinfo=ALMATY), "Early")
    task(app, agent, datetime(2025, 5, 14, 23, 30, tzinfo=ALMATY), "Late yesterday")
    found = sections_at(app, agent, now=datetime(2025, 5, 15, 9, 0, tzinfo=ALMATY))
    assert found["today"] == ["Early"]
    assert found["overdue"] == ["Late yesterday"]


def test_done_and_cancelled_tasks_are_not_listed(app, agent):
    task(app, agent, local_today(9), "Finished", status="done")
    task(app, agent, local_today(9), "Dropped", status="cancelled")
    task(app, agent, local_today(9), "Still open")
    assert sections_at(app, agent, datetime.now(UTC))["today"] == ["Still open"]


def test_only_the_users_own_activities_are_listed_even_for_an_admin(app, agent):
    admin = person(app, "boss@example.com", is_admin=True)
    task(app, agent, local_today(9), "The agent's")
    task(app, admin, local_today(9), "The admin's")
    assert sections_at(app, admin, datetime.now(UTC))["today"] == ["The admin's"]


def test_upcoming_meetings_are_the_next_seven_days_without_cancelled_or_finished_ones(app, agent):
    now = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)
    meeting = {"kind": "meeting"}
    add(app, agent, subject="In two days", happened_at=now + timedelta(days=2), **meeting)
    add(app, agent, subject="Going on now", happened_at=now - timedelta(minutes=30), ends_at=now + timedelta(minutes=30), **meeting)
    add(app, agent, subject="Over this morning", happened_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=2), **meeting)
    add(app, agent, subject="In eight days", happened_at=now + timedelta(days=8), **meeting)
    add(app, agent, subject="Cancelled", happened_at=now + timedelta(days=1), status="cancelled", **meeting)
    assert sections_at(app, agent, now)["meetings"] == ["Going on now", "In two days"]


def missed_call(app, user_id, when, number="+77011234567", **fields) -> int:
    return add(
        app, user_id, kind="call", subject=f"From {number}", happened_at=when, direction="inbound",
        outcome="missed", their_address=number, **fields,
    )


def test_a_missed_inbound_call_waits_until_someone_calls_that_number_back(app, agent):
    colleague = person(app, "colleague@example.com")
    now = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)
    missed_call(app, agent, now - timedelta(hours=3), "+77011234567")
    missed_call(app, agent, now - timedelta(hours=2), "+77017654321")
    add(app, colleague, kind="call", subject="Called back", happened_at=now - timedelta(hours=1),
        direction="outbound", outcome="no_answer", their_address="+77011234567")
    assert sections_at(app, agent, now)["calls"] == ["From +77017654321"]


def test_a_missed_call_about_a_record_is_settled_by_a_later_answered_call_about_it(app, agent):
    client_id = add(app, agent, "person", name="Dana Client")
    now = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)
    missed_call(app, agent, now - timedelta(hours=3), "+77011234567", about_entity="person", about_id=client_id)
    add(app, agent, kind="call", subject="She rang again", happened_at=now - timedelta(hours=1), direction="inbound",
        outcome="answered", their_address="+77019999999", about_entity="person", about_id=client_id)
    assert sections_at(app, agent, now)["calls"] == []


def test_missed_calls_older_than_two_weeks_or_answered_ones_are_not_listed(app, agent):
    now = datetime(2025, 5, 15, 12, 0, tzinfo=UTC)
    missed_call(app, agent, now - timedelta(days=15), "+77011111111")
    add(app, agent, kind="call", subject="Answered", happened_at=now - timedelta(hours=1), direction="inbound",
        outcome="answered", their_address="+77012222222")
    assert sections_at(app, agent, now)["calls"] == []


def test_each_item_links_to_its_activity_and_to_the_record_it_is_about(app, agent, agent_client):
    client_id = add(app, agent, "person", name="Dana Client")
    task_id = task(app, agent, local_today(11), "Send the offer", about_entity="person", about_id=client_id)
    today = section_html(html(agent_client), "today")
    assert f'href="/activity/{task_id}"' in today
    assert f'href="/person/{client_id}">Dana Client</a>' in today


def done(client, task_id, version, token_page="/my-day"):
    from tests.conftest import csrf_token

    token = csrf_token(client, token_page)
    return client.post(f"/my-day/tasks/{task_id}/done", data={"csrf_token": token, "version": str(version)})


def test_done_closes_the_task_through_records_with_history(app, agent, agent_client):
    task_id = task(app, agent, local_today(11), "Send the offer")
    response = done(agent_client, task_id, version=1)
    assert response.status_code == 302 and response.location == "/my-day"
    with app.app_context():
        closed = db.session().get(Activity, task_id)
        assert (closed.status, closed.version) == ("done", 2)
        assert closed.done_at is not None
        change = db.session().execute(select(Change).where(Change.record_id == task_id, Change.action == "update")).scalar_one()
        assert change.changes["status"] == ["open", "done"]
    assert "Send the offer" not in section_html(html(agent_client), "today")


def test_done_with_a_stale_version_changes_nothing_and_says_so(app, agent, agent_client):
    task_id = task(app, agent, local_today(11), "Send the offer")
    with app.app_context():
        Records(current_app.extensions["crmkit"].entities.get("activity"), user_of(agent)).update(
            db.session().get(Activity, task_id), {"subject": "Send the new offer"}, version=1
        )
    done(agent_client, task_id, version=1)
    page = html(agent_client)
    assert "Someone changed this task in the meantime" in page
    assert "Send the new offer" in section_html(page, "today")


def test_done_without_a_csrf_token_is_refused(app, agent, agent_client):
    task_id = task(app, agent, local_today(11))
    assert agent_client.post(f"/my-day/tasks/{task_id}/done", data={"version": "1"}).status_code == 400


def test_an_agent_cannot_close_someone_elses_task(app, agent, agent_client):
    other = person(app, "other@example.com")
    task_id = task(app, other, local_today(11))
    assert done(agent_client, task_id, version=1).status_code == 404
    with app.app_context():
        assert db.session().get(Activity, task_id).status == "open"


def test_the_calendar_month_starts_on_monday_with_names_in_the_users_language(app, agent, agent_client):
    with app.app_context():
        user = user_of(agent)
        user.locale = "ru"
        db.session().commit()
    page = html(agent_client, "/calendar?month=2025-05")
    assert "Май 2025" in page
    assert re.findall(r'<th scope="col">([^<]+)</th>', page)[:2] == ["пн", "вт"]
    assert re.findall(r'data-date="([\d-]+)"', page)[0] == "2025-04-28"
    assert re.findall(r'data-date="([\d-]+)"', page)[-1] == "2025-06-01"


def test_the_calendar_puts_an_entry_on_the_users_local_day_and_links_it(app, agent, agent_client):
    late = datetime(2025, 5, 14, 20, 0, tzinfo=UTC)  # 15 May, 01:00 in Almaty
    meeting_id = add(app, agent, kind="meeting", subject="Night call with Tokyo", happened_at=late)
    page = html(agent_client, "/calendar?month=2025-05")
    cell = re.search(r'data-date="2025-05-15">(.*?)</td>', page, re.DOTALL).group(1)
    assert "Night call with Tokyo" in cell and f'href="/activity/{meeting_id}"' in cell


def test_the_calendar_links_to_the_previous_and_next_month(agent_client):
    page = html(agent_client, "/calendar?month=2025-01")
    assert 'rel="prev" href="/calendar?month=2024-12"' in page
    assert 'rel="next" href="/calendar?month=2025-02"' in page


def test_the_calendar_shows_one_week_when_asked(app, agent, agent_client):
    add(app, agent, kind="meeting", subject="Weekly review", happened_at=datetime(2025, 5, 16, 6, 0, tzinfo=UTC))
    page = html(agent_client, "/calendar?week=2025-W20")
    assert re.findall(r'data-date="([\d-]+)"', page) == [f"2025-05-{d}" for d in range(12, 19)]
    assert "Weekly review" in page and 'href="/calendar?week=2025-W21"' in page


@pytest.mark.parametrize("query", ["month=2025-13", "month=May", "week=2025-W60"])
def test_the_calendar_refuses_a_period_it_cannot_read(agent_client, query):
    assert agent_client.get(f"/calendar?{query}").status_code == 400
