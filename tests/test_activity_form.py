"""The new activity form as a user meets it: the record it is about picked by name, only the fields
of the chosen kind, sensible defaults, and the activity's page naming the record by its title."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from tests.picking import new_organization, new_person, person_id, post


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def saved(app, response) -> Activity:
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        return db.session().get(Activity, int(response.location.rsplit("/", 1)[-1]))


def about(entity_key, typed, chosen=""):
    """The pair as the form sends it: the kind of record chosen, the picker's box and chosen id."""
    return {"about_entity": entity_key, "about_id-title": typed, "about_id": chosen}


def visible_fields(page: str) -> set[str]:
    """Names of the inputs a browser shows: those outside a wrapper marked ``hidden``."""
    shown = set()
    for wrapper in re.findall(r'<div class="field[^"]*"[^>]*>.*?</div>', page, re.S):
        if re.search(r'<div class="field[^"]*"[^>]*\bhidden\b', wrapper):
            continue
        shown.update(re.findall(r'\bname="([a-z_]+)"', wrapper))
    return shown


def test_the_form_picks_the_record_by_name_and_saves_the_pair(app, admin_client):
    person = person_id(new_person(admin_client, "Dana Client"))
    response = post(admin_client, "/activity/new", kind="note", subject="Called back", happened_at="2026-03-02T10:00",
                    **about("person", "Dana Client"))
    activity = saved(app, response)
    assert (activity.about_entity, activity.about_id) == ("person", person)


def test_a_name_of_another_kind_of_record_is_looked_up_there(app, admin_client):
    organization = new_organization(admin_client, "Altyn Stroy")
    response = post(admin_client, "/activity/new", kind="note", happened_at="2026-03-02T10:00",
                    **about("organization", "Altyn Stroy"))
    activity = saved(app, response)
    assert (activity.about_entity, activity.about_id) == ("organization", organization)


def test_a_name_that_finds_nothing_is_refused_and_kept_as_typed(app, admin_client):
    response = post(admin_client, "/activity/new", kind="note", subject="Draft", happened_at="2026-03-02T10:00",
                    **about("person", "Nobody Known"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing matches this name" in page
    assert 'value="Nobody Known"' in page and 'value="Draft"' in page


def test_the_form_offers_kinds_of_records_by_label_not_keys(admin_client):
    page = admin_client.get("/activity/new").get_data(as_text=True)
    select = re.search(r'<select id="f-about_entity".*?</select>', page, re.S).group(0)
    assert '<option value="person">Contact</option>' in select and '<option value="deal">Deal</option>' in select
    assert 'type="number" name="about_id"' not in page
    assert 'value="activity"' not in select  # an activity is about a client, a deal, never another activity


def test_a_task_shows_its_due_date_priority_and_status_and_no_call_fields(admin_client):
    shown = visible_fields(admin_client.get("/activity/new?kind=task").get_data(as_text=True))
    assert {"happened_at", "priority", "status", "reminder_at"} <= shown
    assert not shown & {"direction", "outcome", "duration_seconds", "place", "participants"}


def test_a_call_shows_direction_and_outcome_and_no_task_fields(admin_client):
    shown = visible_fields(admin_client.get("/activity/new?kind=call").get_data(as_text=True))
    assert {"direction", "outcome", "their_address", "duration_seconds"} <= shown
    assert not shown & {"priority", "status", "place", "ends_at"}


def test_a_meeting_shows_place_participants_and_end(admin_client):
    shown = visible_fields(admin_client.get("/activity/new?kind=meeting").get_data(as_text=True))
    assert {"place", "participants", "ends_at"} <= shown
    assert not shown & {"outcome", "priority"}


def test_fields_of_another_kind_are_not_saved(app, admin_client):
    response = post(admin_client, "/activity/new", kind="task", subject="Send the offer", happened_at="2026-03-02T10:00",
                    outcome="missed", direction="inbound", place="Office", priority="high")
    task = saved(app, response)
    assert (task.outcome, task.direction, task.place, task.priority, task.status) == (None, None, None, "high", "open")


def test_fields_of_another_kind_are_not_validated(app, admin_client):
    response = post(admin_client, "/activity/new", kind="note", happened_at="2026-03-02T10:00", duration_seconds="-5",
                    recording_url="not a url")
    assert saved(app, response).duration_seconds is None


def test_errors_keep_what_was_typed(admin_client):
    response = post(admin_client, "/activity/new", kind="meeting", subject="Viewing on Abay", place="Abay 10",
                    participants="Dana", happened_at="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "A meeting or a task needs a date and time." in page
    assert 'value="Viewing on Abay"' in page and 'value="Abay 10"' in page and ">Dana</textarea>" in page


def test_changing_the_kind_without_scripts_shows_its_fields_and_keeps_the_text(app, admin_client):
    response = post(admin_client, "/activity/new", kind="meeting", subject="Viewing on Abay", change_form="1",
                    happened_at="2026-03-02T10:00", outcome="missed")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "place" in visible_fields(page) and "outcome" not in visible_fields(page)
    assert 'value="Viewing on Abay"' in page and 'value="2026-03-02T10:00"' in page
    with app.app_context():
        assert db.session().execute(select(func.count()).select_from(Activity)).scalar_one() == 0


def test_a_new_activity_defaults_to_the_record_it_was_opened_from(admin_client):
    person = person_id(new_person(admin_client, "Dana Client"))
    page = admin_client.get(f"/activity/new?about_entity=person&about_id={person}").get_data(as_text=True)
    assert re.search(r'<option value="person" selected>', page)
    assert 'value="Dana Client"' in page and f'name="about_id" value="{person}"' in page


def test_a_new_activity_starts_now_and_belongs_to_whoever_writes_it(app, admin_client):
    page = admin_client.get("/activity/new").get_data(as_text=True)
    shown = re.search(r'name="happened_at" value="([^"]+)"', page).group(1)  # in the user's zone
    activity = saved(app, post(admin_client, "/activity/new", kind="note", happened_at=shown))
    happened = activity.happened_at.replace(tzinfo=activity.happened_at.tzinfo or UTC)
    assert abs((happened - datetime.now(UTC)).total_seconds()) <= 120
    with app.app_context():
        assert db.session().get(User, activity.owner_id).email == "admin@example.com"


def test_the_activity_page_names_the_record_it_is_about_by_title(app, admin_client):
    person = person_id(new_person(admin_client, "Dana Client"))
    activity = saved(app, post(admin_client, "/activity/new", kind="note", happened_at="2026-03-02T10:00",
                               **about("person", "Dana Client", str(person))))
    page = admin_client.get(f"/activity/{activity.id}").get_data(as_text=True)
    fields = re.search(r'<dl class="fields">.*?</dl>', page, re.S).group(0)
    assert re.search(rf'<dt>About</dt>\s*<dd><a href="/person/{person}">Dana Client</a></dd>', fields)
    assert ">person<" not in fields and f">{person}<" not in fields


def test_the_activity_history_names_the_kind_of_record_and_the_record(app, admin_client):
    person = person_id(new_person(admin_client, "Dana Client"))
    activity = saved(app, post(admin_client, "/activity/new", kind="note", happened_at="2026-03-02T10:00",
                               **about("person", "Dana Client", str(person))))
    history = admin_client.get(f"/activity/{activity.id}").get_data(as_text=True).split('id="history"')[1]
    text = re.sub(r"<[^>]+>", "", history)
    assert "About: Contact" in text and "Record: Dana Client" in text
    assert "person" not in text and f"Record: {person}" not in text


def test_a_new_task_starts_open_with_normal_priority(admin_client):
    page = admin_client.get("/activity/new?kind=task").get_data(as_text=True)
    assert re.search(r'<select id="f-priority".*?<option value="normal" selected>', page, re.S)
    assert re.search(r'<select id="f-status".*?<option value="open" selected>', page, re.S)
