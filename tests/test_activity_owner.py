"""Whom an activity is for: the form's owner field starts at the current user, offers the active
users by name, and saves the one chosen; an inactive or unknown user is refused on the form and
in the API alike."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.activities.models import Activity
from tests.picking import post


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def owner_select(page: str) -> str:
    found = re.search(r'<select[^>]*name="owner_id".*?</select>', page, re.S)
    assert found, "the form has no owner field"
    return found.group(0)


def selected(select_html: str) -> str | None:
    found = re.search(r'<option value="(\d*)"[^>]*selected', select_html)
    return found.group(1) if found else None


def test_a_new_activity_is_the_current_user_s_and_the_others_are_offered_by_name(app, make_user, client_for):
    agent = make_user("agent", name="Aigerim Agent")
    make_user("agent", name="Olzhas Colleague")
    page = client_for(agent).get("/activity/new?kind=task").get_data(as_text=True)
    owners = owner_select(page)
    assert selected(owners) == str(agent.id)
    assert ">Olzhas Colleague<" in owners and ">Aigerim Agent<" in owners


def test_a_task_is_saved_for_the_colleague_chosen(app, make_user, client_for):
    manager = make_user("manager", name="Marat Manager")
    agent = make_user("agent", name="Olzhas Agent")
    response = post(client_for(manager), "/activity/new", kind="task", subject="Call the landlord back",
                    happened_at="2026-12-08T10:00", owner_id=str(agent.id))
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        task = db.session().get(Activity, int(response.location.rsplit("/", 1)[-1]))
        assert (task.owner_id, task.created_by_id) == (agent.id, manager.id)


def test_left_as_offered_the_activity_is_its_author_s(app, make_user, client_for):
    agent = make_user("agent", name="Aigerim Agent")
    response = post(client_for(agent), "/activity/new", kind="note", subject="Met at the office",
                    happened_at="2026-12-07T10:00")
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        assert db.session().get(Activity, int(response.location.rsplit("/", 1)[-1])).owner_id == agent.id


def test_an_inactive_user_is_refused_under_the_field(app, make_user, client_for):
    manager = make_user("manager", name="Marat Manager")
    gone = make_user("agent", name="Left Agent", is_active=False)
    response = post(client_for(manager), "/activity/new", kind="task", subject="For nobody",
                    happened_at="2026-12-08T10:00", owner_id=str(gone.id))
    assert response.status_code == 422
    assert "Not an active user." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(Activity)).scalar() == 0


def test_the_api_refuses_an_unknown_owner_by_field(app, api_client):
    response = api_client("admin").post("/api/v1/activity", json={
        "kind": "task", "subject": "x", "happened_at": "2026-12-08T10:00:00", "owner_id": 999999})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"owner_id": ["Not an active user."]}
