"""A workflow on the generic pages: the form offers only allowed moves and says what each asks
for, refuses the others like the API does, and the record's page shows the time in each state."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from crmkit import db
from crmkit.entities.transitions import Transition
from tests.conftest import csrf_token
from tests.plugins.projects import hooks as projects
from tests.plugins.tickets import hooks as tickets

BASE = "/tickets/ticket"


@pytest.fixture
def client(make_app, admin_client_for):
    return admin_client_for(make_app(plugins=[tickets], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en"))


def status_options(page: str) -> list[str]:
    select_html = re.search(r'<select id="f-status" name="status".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select_html)


def post_form(client, url, **fields):
    data = {"title": "Printer jams", "csrf_token": csrf_token(client, url), **fields}
    return client.post(url, data=data)


def new_ticket(client, **fields):
    response = post_form(client, f"{BASE}/new", status="new", **fields)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def edit(client, status, version, **fields):
    return post_form(client, f"{BASE}/1/edit", status=status, version=str(version), **fields)


def test_a_new_records_form_offers_the_states_it_may_start_in(client):
    assert status_options(client.get(f"{BASE}/new").get_data(as_text=True)) == ["new", "in_progress"]


def test_the_edit_form_offers_the_current_state_and_the_moves_allowed_from_it(client):
    new_ticket(client)
    page = client.get(f"{BASE}/1/edit").get_data(as_text=True)
    assert status_options(page) == ["new", "in_progress", "rejected"]
    assert '<option value="new" selected>' in page
    assert "Rejected asks for: Resolution." in page


def test_a_forbidden_move_on_the_form_is_refused_naming_the_states_allowed(client):
    new_ticket(client)
    response = edit(client, "closed", 1)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Cannot move from New to Closed. Allowed: In progress, Rejected." in page
    assert ">New</" in client.get(f"{BASE}/1").get_data(as_text=True)


def test_the_form_asks_for_the_fields_a_state_requires(client):
    new_ticket(client)
    response = edit(client, "rejected", 1, resolution="")
    assert response.status_code == 422
    assert re.search(r'id="e-resolution"><li>Required in the state Rejected\.</li>', response.get_data(as_text=True))
    assert edit(client, "rejected", 1, resolution="Duplicate").status_code == 302


def test_saving_the_form_without_touching_the_state_moves_nothing(client):
    new_ticket(client)
    assert edit(client, "new", 1, title="Renamed").status_code == 302
    with client.application.app_context():
        assert db.session().execute(select(Transition.to_state)).scalars().all() == ["new"]


def test_the_record_page_shows_the_time_spent_in_each_state(client):
    new_ticket(client)
    assert edit(client, "in_progress", 1).status_code == 302
    now = datetime.now(UTC)
    with client.application.app_context():
        session = db.session()
        first, second = session.execute(select(Transition.id).order_by(Transition.id)).scalars()
        session.execute(update(Transition).where(Transition.id == first).values(at=now - timedelta(days=3, hours=5)))
        session.execute(update(Transition).where(Transition.id == second).values(at=now - timedelta(days=1)))
        session.commit()
    page = client.get(f"{BASE}/1").get_data(as_text=True)
    panel = re.search(r'<table class="table time-in-states">.*?</table>', page, re.S).group(0)
    rows = re.findall(r"<tr[^>]*><td>(.*?)</td><td[^>]*>(.*?)</td></tr>", panel)
    assert rows == [("New", "2 days 5 hours"), ('In progress <span class="badge">now</span>', "1 day")]
    assert "Time in each state" in page
    assert re.search(r"<li>New: [^<]+ — [^<]+</li><li>In progress: [^<]+ — now</li>", page)


def test_a_record_without_a_workflow_has_no_time_panel(make_app, admin_client_for):
    client = admin_client_for(make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en"))
    data = {"name": "Flat", "status": "planned", "csrf_token": csrf_token(client, "/projects/project/new")}
    page = client.get(client.post("/projects/project/new", data=data).location).get_data(as_text=True)
    assert "time-in-states" not in page
