"""Saved views of a list (filters, sort, columns; private or shared) and bulk owner assignment."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.entities.history import Change
from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects

LIST = "/projects/project/"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def create(client, **fields):
    data = {"name": "Flat", "status": "planned", "csrf_token": csrf_token(client, LIST + "new"), **fields}
    return client.post(LIST + "new", data=data)


def save_view(client, name, shared=False, columns=("name", "status"), **query):
    data = {"name": name, "column": list(columns), "csrf_token": csrf_token(client, LIST)}
    data.update({f"q_{k}": v for k, v in query.items()})
    if shared:
        data["shared"] = "on"
    return client.post(LIST + "views", data=data)


def agent(app, email="agent@example.com", role="agent"):
    add_user(app, email, "a long agent passphrase", role=role, name=email.split("@")[0].title())
    client = app.test_client()
    login(client, email, "a long agent passphrase")
    return client


def test_a_saved_view_brings_back_its_filters_sort_and_columns(admin_client):
    create(admin_client, name="Active one", status="active", budget="10")
    create(admin_client, name="Planned one")
    applied = save_view(admin_client, "Active", status="active", sort="-name", columns=("name", "budget"))
    page = admin_client.get(applied.location, follow_redirects=True).get_data(as_text=True)
    assert "Active one" in page and "Planned one" not in page
    assert ">Budget" in page and ">Status" not in page.split("<table")[1]


def test_a_private_view_is_offered_only_to_its_owner(app, admin_client):
    save_view(admin_client, "Mine only")
    other = agent(app, role="manager")
    assert "Mine only" in admin_client.get(LIST).get_data(as_text=True)
    assert "Mine only" not in other.get(LIST).get_data(as_text=True)
    assert other.get(LIST + "?view=1").status_code == 404


def test_a_shared_view_is_offered_to_everyone_who_can_view_the_entity(app, admin_client):
    save_view(admin_client, "Team view", shared=True, status="active")
    other = agent(app, role="manager")
    assert "Team view (shared)" in other.get(LIST).get_data(as_text=True)
    assert other.get(LIST + "?view=1").status_code == 302


def test_only_the_owner_deletes_a_view(app, admin_client):
    save_view(admin_client, "Team view", shared=True)
    other = agent(app, role="manager")
    token = csrf_token(other, LIST)
    assert other.post(LIST + "views/1/delete", data={"csrf_token": token}).status_code == 404
    admin_client.post(LIST + "views/1/delete", data={"csrf_token": csrf_token(admin_client, LIST)})
    assert "Team view (shared)</option>" not in admin_client.get(LIST).get_data(as_text=True)


def test_bulk_assign_gives_each_ticked_record_to_the_new_owner_and_records_it(app, admin_client):
    create(admin_client, name="One")
    create(admin_client, name="Two")
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent", name="Dana")
    token = csrf_token(admin_client, LIST)
    response = admin_client.post(LIST + "bulk", data={"action": "assign", "owner_id": "2", "ids": ["1", "2"], "csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        owners = {p.owner_id for p in db.session().execute(select(projects.Project)).scalars()}
        last = db.session().execute(select(Change).order_by(Change.id.desc())).scalars().first()
    assert owners == {2}
    assert last.changes == {"owner_id": [1, 2]}


def test_bulk_assign_skips_records_the_user_can_not_see(app, admin_client):
    create(admin_client, name="Admin's")
    dana = agent(app)
    create(dana, name="Dana's")
    token = csrf_token(dana, LIST)
    dana.post(LIST + "bulk", data={"action": "assign", "owner_id": "2", "ids": ["1", "2"], "csrf_token": token})
    with app.app_context():
        assert db.session().get(projects.Project, 1).owner_id == 1


def test_bulk_assign_to_an_unknown_user_is_refused(admin_client):
    create(admin_client, name="One")
    token = csrf_token(admin_client, LIST)
    response = admin_client.post(LIST + "bulk", data={"action": "assign", "owner_id": "99", "ids": ["1"], "csrf_token": token})
    assert response.status_code == 400


def test_a_saved_view_keeps_a_filter_on_a_custom_field(admin_client):
    token = csrf_token(admin_client, "/admin/fields/")
    admin_client.post("/admin/fields/", data={"entity": "projects.project", "type": "text", "name": "region", "label": "Region", "csrf_token": token})
    create(admin_client, name="North", **{"custom.region": "Astana"})
    create(admin_client, name="South", **{"custom.region": "Almaty"})
    applied = save_view(admin_client, "South only", **{"custom.region": "Almaty"})
    page = admin_client.get(applied.location, follow_redirects=True).get_data(as_text=True)
    assert "South" in page and "North</a>" not in page
