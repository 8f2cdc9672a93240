"""Each role on every path: what a user may see is the same on pages, search, export and the API.

Sales (with Sales North under it) and Support are departments; the manager heads Sales, one agent
works in Sales North and reports to the manager, another works in Support. Each owns a record.
"""

import pytest
from sqlmodel import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.conftest import login
from tests.people import matrix_staff
from tests.plugins.projects import hooks as projects

PASSWORD = "matrix password 123"
OWNERS = ("admin", "boss", "north", "support")
SEES = {
    "admin": {"admin", "boss", "north", "support"},  # all
    "boss": {"boss", "north"},  # department and the departments under it
    "north": {"north"},  # own
    "support": {"support"},  # own
}
EXPORTS = {"admin": True, "boss": True, "north": False, "support": False}




def user_named(session, who):
    return session.exec(select(User).where(User.email == f"{who}@example.com")).one()


@pytest.fixture
def matrix(make_app):
    app = make_app(plugins=[projects], DEFAULT_LOCALE="en")
    matrix_staff(app, PASSWORD)
    ids = {}
    with app.test_request_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("projects.project")
        for who in OWNERS:
            user = user_named(session, who)
            ids[who] = Records(entity, user, session).create({"name": f"Matrix {who}"}).id
    return app, ids


def client_of(app, who):
    client = app.test_client()
    assert login(client, f"{who}@example.com", PASSWORD).status_code == 302
    return client


def names_in(text):
    return {who for who in OWNERS if f"Matrix {who}" in text}


@pytest.mark.parametrize("who", OWNERS)
def test_the_list_page_shows_exactly_what_the_role_sees(matrix, who):
    app, _ids = matrix
    page = client_of(app, who).get("/projects/project/").get_data(as_text=True)
    assert names_in(page) == SEES[who]


@pytest.mark.parametrize("who", OWNERS)
def test_record_pages_open_only_for_visible_records(matrix, who):
    app, ids = matrix
    client = client_of(app, who)
    for owner, record_id in ids.items():
        expected = 200 if owner in SEES[who] else 404
        assert client.get(f"/projects/project/{record_id}").status_code == expected, owner
        assert client.get(f"/projects/project/{record_id}/edit").status_code == expected, owner


@pytest.mark.parametrize("who", OWNERS)
def test_search_finds_exactly_what_the_role_sees(matrix, who):
    app, _ids = matrix
    page = client_of(app, who).get("/search?q=Matrix").get_data(as_text=True)
    assert names_in(page) == SEES[who]


@pytest.mark.parametrize("who", OWNERS)
def test_export_holds_exactly_what_the_role_sees_or_is_refused(matrix, who):
    app, _ids = matrix
    response = client_of(app, who).get("/transfer/projects.project/export?format=csv")
    if not EXPORTS[who]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert names_in(response.get_data(as_text=True)) == SEES[who]


@pytest.mark.parametrize("who", OWNERS)
def test_the_api_lists_and_opens_exactly_what_the_role_sees(matrix, who):
    app, ids = matrix
    client = client_of(app, who)
    listed = client.get("/api/v1/projects/project?limit=50")
    assert listed.status_code == 200
    assert names_in(listed.get_data(as_text=True)) == SEES[who]
    for owner, record_id in ids.items():
        expected = 200 if owner in SEES[who] else 404
        assert client.get(f"/api/v1/projects/project/{record_id}").status_code == expected, owner
        assert client.get(f"/api/v1/projects/project/{record_id}/history").status_code == expected, owner


@pytest.mark.parametrize("who", ["north", "support"])
def test_agents_cannot_archive_even_their_own_records(matrix, who):
    app, ids = matrix
    client = client_of(app, who)
    token = client.get(f"/projects/project/{ids[who]}").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post(f"/projects/project/{ids[who]}/archive", data={"action": "archive", "csrf_token": token})
    assert response.status_code == 403
    assert client.delete(f"/api/v1/projects/project/{ids[who]}", headers={"X-CSRFToken": token}).status_code == 403
