"""Roles made on the admin page, and record visibility (own, subordinates, department, all)
on the projects entity's list and detail pages, acting as each user."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Role
from tests.people import client_as, new_department, new_project, page, person, post
from tests.plugins.projects import hooks as projects


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def role_row(app, name) -> Role | None:
    with app.app_context():
        return db.session().get(Role, name)


def make_role(admin, name, level, permissions=("*.view", "*.create")):
    data = {"name": name, "label": name.title(), "permissions": list(permissions), "visibility:*": level}
    response = post(admin, "/admin/roles/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)


def projects_seen(client) -> set[str]:
    listing = page(client, "/projects/project/")
    return {name for name in ("Lead project", "Middle project", "Bottom project", "Outsider project", "North project", "Support project", "Sales project") if f">{name}<" in listing}


def test_the_role_form_offers_every_registered_permission_and_wildcards_per_entity(admin_client):
    form = page(admin_client, "/admin/roles/new")
    for pattern in ("*", "*.view", "projects.project.*", "projects.project.export", "core.manage_users", "core.audit_log"):
        assert f'value="{pattern}"' in form


def test_a_new_role_keeps_its_permissions_and_visibility_per_entity(app, admin_client):
    data = {
        "name": "viewer", "label": "Viewer", "permissions": ["projects.project.view", "projects.project.export"],
        "visibility:*": "own", "visibility:projects.project": "department",
    }
    assert post(admin_client, "/admin/roles/new", data).status_code == 302
    role = role_row(app, "viewer")
    assert role.permissions == ["projects.project.export", "projects.project.view"]
    assert role.visibility == {"*": "own", "projects.project": "department"}


def test_a_permission_nobody_registered_is_refused(app, admin_client):
    data = {"name": "odd", "label": "Odd", "permissions": ["nothing.here"], "visibility:*": "own"}
    response = post(admin_client, "/admin/roles/new", data)
    assert response.status_code == 422 and "Unknown permission" in response.get_data(as_text=True)
    assert role_row(app, "odd") is None


def test_an_unknown_visibility_level_is_refused(app, admin_client):
    response = post(admin_client, "/admin/roles/new", {"name": "odd", "label": "Odd", "visibility:*": "everything"})
    assert response.status_code == 422
    assert role_row(app, "odd") is None


def test_editing_a_role_changes_what_its_users_may_do(app, admin_client):
    person(app, "agent@example.com")
    agent = client_as(app, "agent@example.com")
    assert agent.get("/projects/project/").status_code == 200
    post(admin_client, "/admin/roles/agent", {"label": "Agent", "permissions": ["core.audit_log"], "visibility:*": "own"})
    assert agent.get("/projects/project/").status_code == 403
    assert agent.get("/admin/audit/").status_code == 200


def test_an_admin_cannot_take_away_their_own_right_to_manage_users(app, admin_client):
    response = post(admin_client, "/admin/roles/admin", {"label": "Administrator", "permissions": ["*.view"], "visibility:*": "all"})
    assert response.status_code == 422
    assert role_row(app, "admin").permissions == ["*"]


def test_own_an_agent_sees_only_their_own_records_in_list_and_detail(app, admin_client):
    person(app, "a@example.com")
    person(app, "b@example.com")
    a, b = client_as(app, "a@example.com"), client_as(app, "b@example.com")
    mine = new_project(a, "Lead project")
    theirs = new_project(b, "Outsider project")
    assert projects_seen(a) == {"Lead project"}
    assert a.get(mine).status_code == 200 and a.get(theirs).status_code == 404


def test_subordinates_a_lead_sees_the_whole_chain_below_them_and_nobody_else(app, admin_client):
    make_role(admin_client, "lead", "subordinates")
    lead = person(app, "lead@example.com", role="lead")
    middle = person(app, "middle@example.com", manager_id=lead)
    person(app, "bottom@example.com", manager_id=middle)
    person(app, "outsider@example.com")
    lead_client = client_as(app, "lead@example.com")
    new_project(lead_client, "Lead project")
    new_project(client_as(app, "middle@example.com"), "Middle project")
    bottom = new_project(client_as(app, "bottom@example.com"), "Bottom project")
    outsider = new_project(client_as(app, "outsider@example.com"), "Outsider project")
    assert projects_seen(lead_client) == {"Lead project", "Middle project", "Bottom project"}
    assert lead_client.get(bottom).status_code == 200
    assert lead_client.get(outsider).status_code == 404


def test_subordinates_a_middle_manager_does_not_see_their_own_manager(app, admin_client):
    make_role(admin_client, "lead", "subordinates")
    lead = person(app, "lead@example.com", role="lead")
    person(app, "middle@example.com", role="lead", manager_id=lead)
    new_project(client_as(app, "lead@example.com"), "Lead project")
    middle = client_as(app, "middle@example.com")
    new_project(middle, "Middle project")
    assert projects_seen(middle) == {"Middle project"}


def test_department_a_manager_sees_their_department_and_the_ones_under_it(app, admin_client):
    sales = new_department(admin_client, "Sales")
    north = new_department(admin_client, "Sales North", parent_id=sales)
    support = new_department(admin_client, "Support")
    person(app, "manager@example.com", role="manager", department_id=sales)
    person(app, "north@example.com", department_id=north)
    person(app, "support@example.com", department_id=support)
    manager = client_as(app, "manager@example.com")
    new_project(manager, "Sales project")
    north_project = new_project(client_as(app, "north@example.com"), "North project")
    support_project = new_project(client_as(app, "support@example.com"), "Support project")
    assert projects_seen(manager) == {"Sales project", "North project"}
    assert manager.get(north_project).status_code == 200
    assert manager.get(support_project).status_code == 404


def test_department_a_member_of_a_sub_department_does_not_see_the_parent(app, admin_client):
    sales = new_department(admin_client, "Sales")
    north = new_department(admin_client, "Sales North", parent_id=sales)
    person(app, "manager@example.com", role="manager", department_id=sales)
    person(app, "north@example.com", role="manager", department_id=north)
    new_project(client_as(app, "manager@example.com"), "Sales project")
    north_client = client_as(app, "north@example.com")
    new_project(north_client, "North project")
    assert projects_seen(north_client) == {"North project"}


def test_all_a_role_with_visibility_all_sees_every_record(app, admin_client):
    make_role(admin_client, "director", "all")
    person(app, "director@example.com", role="director")
    person(app, "a@example.com")
    new_project(client_as(app, "a@example.com"), "Outsider project")
    director = client_as(app, "director@example.com")
    new_project(director, "Lead project")
    assert projects_seen(director) == {"Lead project", "Outsider project"}


def test_a_per_entity_level_beats_the_roles_default(app, admin_client):
    data = {"name": "mixed", "label": "Mixed", "permissions": ["*.view", "*.create"],
            "visibility:*": "own", "visibility:projects.project": "all"}
    post(admin_client, "/admin/roles/new", data)
    person(app, "mixed@example.com", role="mixed")
    person(app, "a@example.com")
    new_project(client_as(app, "a@example.com"), "Outsider project")
    assert projects_seen(client_as(app, "mixed@example.com")) == {"Outsider project"}


def test_roles_list_shows_the_seeded_roles(admin_client):
    listing = page(admin_client, "/admin/roles")
    for name in ("admin", "manager", "agent"):
        assert f'href="/admin/roles/{name}"' in listing


def test_role_names_must_be_simple_and_unique(app, admin_client):
    assert post(admin_client, "/admin/roles/new", {"name": "Bad Name", "label": "x", "visibility:*": "own"}).status_code == 422
    assert post(admin_client, "/admin/roles/new", {"name": "agent", "label": "x", "visibility:*": "own"}).status_code == 422
    with app.app_context():
        assert len(db.session().execute(select(Role)).all()) == 3
