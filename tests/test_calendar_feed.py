"""The personal iCalendar feed: a secret address shown once, stored as a hash, readable without
login by calendar apps, holding the owner's meetings and open tasks; reset and revoke end it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import CalendarFeed
from tests.conftest import csrf_token
from tests.people import client_as, person
from tests.test_myday import add

FEED_URL = re.compile(r'<code class="feed-url">(http://localhost/calendar/feed/[\w-]+\.ics)</code>')


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def agent(app):
    return person(app, "agent@example.com", name="Aigerim", timezone="Asia/Almaty", locale="en")


@pytest.fixture
def agent_client(app, agent):
    return client_as(app, "agent@example.com")


def create_feed(client) -> str:
    """Press "Create a calendar feed" on My day; the address it shows once."""
    response = client.post("/my-day/feed", data={"csrf_token": csrf_token(client, "/my-day")})
    assert response.status_code == 201
    return FEED_URL.search(response.get_data(as_text=True)).group(1).removeprefix("http://localhost")


def parsed(app, path: str) -> Calendar:
    response = app.test_client().get(path)  # a calendar app: no cookie, no login
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_feed_address_is_shown_once_and_only_its_hash_is_stored(app, agent_client):
    response = agent_client.post("/my-day/feed", data={"csrf_token": csrf_token(agent_client, "/my-day")})
    token = FEED_URL.search(response.get_data(as_text=True)).group(1).rsplit("/", 1)[1].removesuffix(".ics")
    assert response.headers["Cache-Control"] == "no-store"
    with app.app_context():
        stored = db.session().execute(select(CalendarFeed)).scalar_one()
    assert len(token) >= 43 and token not in stored.token_hash and len(stored.token_hash) == 64
    assert token not in agent_client.get("/my-day").get_data(as_text=True)


def test_the_feed_holds_meetings_with_utc_times_place_and_a_stable_uid(app, agent, agent_client):
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=3)
    meeting_id = add(app, agent, kind="meeting", subject="Viewing on Abay 10", happened_at=start,
                     ends_at=start + timedelta(hours=1), place="Abay ave 10", body="Bring the keys")
    path = create_feed(agent_client)
    event = events(parsed(app, path))["Viewing on Abay 10"]
    assert event.decoded("dtstart") == start and event.decoded("dtstart").utcoffset() == timedelta(0)
    assert event.decoded("dtend") == start + timedelta(hours=1)
    assert str(event["location"]) == "Abay ave 10"
    assert "Bring the keys" in str(event["description"])
    assert str(event["uid"]) == f"activity-{meeting_id}@localhost"
    assert event.decoded("last-modified") is not None
    assert str(events(parsed(app, path))["Viewing on Abay 10"]["uid"]) == str(event["uid"])


def test_the_feed_holds_open_tasks_at_their_due_time_but_not_done_ones(app, agent, agent_client):
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    add(app, agent, kind="task", subject="Send the contract", happened_at=due)
    add(app, agent, kind="task", subject="Already sent", happened_at=due, status="done")
    found = events(parsed(app, create_feed(agent_client)))
    assert list(found) == ["Task: Send the contract"]
    assert found["Task: Send the contract"].decoded("dtstart") == due


def test_the_feed_leaves_out_other_peoples_activities_and_those_outside_its_window(app, agent, agent_client):
    now = datetime.now(UTC).replace(microsecond=0)
    other = person(app, "other@example.com")
    add(app, other, kind="meeting", subject="Someone else's", happened_at=now + timedelta(days=1))
    add(app, agent, kind="meeting", subject="Long ago", happened_at=now - timedelta(days=120))
    add(app, agent, kind="meeting", subject="Next year and more", happened_at=now + timedelta(days=400))
    add(app, agent, kind="meeting", subject="Last month", happened_at=now - timedelta(days=30))
    assert list(events(parsed(app, create_feed(agent_client)))) == ["Last month"]


def test_a_new_address_makes_the_old_one_stop_working(app, agent_client):
    old = create_feed(agent_client)
    new = create_feed(agent_client)
    assert app.test_client().get(old).status_code == 404
    assert app.test_client().get(new).status_code == 200


def test_revoking_the_feed_makes_its_address_404(app, agent_client):
    path = create_feed(agent_client)
    agent_client.post("/my-day/feed/revoke", data={"csrf_token": csrf_token(agent_client, "/my-day")})
    assert app.test_client().get(path).status_code == 404
    with app.app_context():
        assert db.session().execute(select(CalendarFeed)).first() is None


def test_an_unknown_token_is_404(app):
    assert app.test_client().get("/calendar/feed/not-a-real-token-at-all.ics").status_code == 404


def test_the_feed_of_a_deactivated_user_is_404(app, agent, agent_client):
    path = create_feed(agent_client)
    from crmkit.core.auth.models import User

    with app.app_context():
        db.session().get(User, agent).is_active = False
        db.session().commit()
    assert app.test_client().get(path).status_code == 404
