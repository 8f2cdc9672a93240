"""The users admin pages: who may open them, listing, creating and editing users, and the
manager hierarchy without loops."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from tests.conftest import login
from tests.people import PASSWORD, client_as, page, person, post

ADMIN_PAGES = [
    "/admin/users", "/admin/users/new", "/admin/users/1", "/admin/roles", "/admin/roles/new", "/admin/roles/agent",
    "/admin/org", "/admin/org/offices/1", "/admin/org/departments/1", "/admin/explain", "/admin/audit/",
    "/admin/plugins",
]


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def user_row(app, email) -> User:
    with app.app_context():
        return db.session().execute(select(User).where(User.email == email)).scalar_one()


@pytest.mark.parametrize("role", ["manager", "agent"])
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_every_admin_page_is_403_for_managers_and_agents(app, admin_client, role, url):
    person(app, f"{role}@example.com", role=role)
    assert client_as(app, f"{role}@example.com").get(url).status_code == 403


@pytest.mark.parametrize("role", ["manager", "agent"])
def test_admin_forms_refuse_posts_from_non_admins(app, admin_client, role):
    person(app, f"{role}@example.com", role=role)
    client = client_as(app, f"{role}@example.com")
    response = post(client, "/admin/users/new", {"email": "x@example.com", "password": PASSWORD, "role": "admin"})
    assert response.status_code == 403
    assert post(client, "/admin/roles/agent", {"label": "Agent", "permissions": "*", "visibility:*": "all"}).status_code == 403


def test_admins_see_the_admin_entries_in_the_navigation_and_agents_do_not(app, admin_client):
    person(app, "agent@example.com")
    assert 'href="/admin/users"' in page(admin_client, "/")
    assert 'href="/admin/audit/"' in page(admin_client, "/")
    agent_home = page(client_as(app, "agent@example.com"), "/")
    assert 'href="/admin/users"' not in agent_home and 'href="/admin/plugins"' not in agent_home


def test_a_role_granted_core_manage_users_opens_the_users_pages_without_being_admin(app, admin_client):
    post(admin_client, "/admin/roles/new", {"name": "hr", "label": "HR", "permissions": "core.manage_users", "visibility:*": "own"})
    person(app, "hr@example.com", role="hr")
    hr = client_as(app, "hr@example.com")
    assert hr.get("/admin/users").status_code == 200
    assert hr.get("/admin/plugins").status_code == 403


def test_the_users_list_is_paged(app, admin_client):
    for number in range(55):
        person(app, f"user{number:02d}@example.com")
    first = page(admin_client, "/admin/users")
    assert "user48@example.com" in first and "user49@example.com" not in first
    assert 'rel="next" href="/admin/users?after=50"' in first
    second = page(admin_client, "/admin/users?after=50")
    assert "user49@example.com" in second and "user54@example.com" in second and "admin@example.com" not in second


def test_creating_a_user_with_a_short_password_is_refused_under_the_password_field(app, admin_client):
    response = post(admin_client, "/admin/users/new", {"email": "new@example.com", "password": "short", "role": "agent"})
    assert response.status_code == 422
    assert "at least 12 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(User).where(User.email == "new@example.com")).first() is None


def test_a_user_created_by_an_admin_can_log_in_with_the_given_role(app, admin_client):
    response = post(
        admin_client, "/admin/users/new",
        {"email": "New@Example.com", "name": "Dana", "password": PASSWORD, "role": "manager", "is_active": "y"},
    )
    assert response.status_code == 302
    assert user_row(app, "new@example.com").role == "manager"
    client_as(app, "new@example.com")


def test_creating_a_user_with_a_taken_email_is_refused(app, admin_client):
    response = post(admin_client, "/admin/users/new", {"email": "admin@example.com", "password": PASSWORD, "role": "agent"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_editing_a_user_changes_name_role_and_manager(app, admin_client):
    boss = person(app, "boss@example.com", role="manager")
    agent = person(app, "agent@example.com")
    data = {"name": "Aigerim", "role": "manager", "manager_id": boss, "department_id": "", "is_active": "y"}
    assert post(admin_client, f"/admin/users/{agent}", data).status_code == 302
    row = user_row(app, "agent@example.com")
    assert (row.name, row.role, row.manager_id) == ("Aigerim", "manager", boss)


def test_deactivating_a_user_from_the_admin_page_ends_their_session(app, admin_client):
    agent = person(app, "agent@example.com")
    client = client_as(app, "agent@example.com")
    post(admin_client, f"/admin/users/{agent}", {"name": "", "role": "agent", "manager_id": "", "department_id": ""})
    assert user_row(app, "agent@example.com").is_active is False
    assert client.get("/").status_code == 302
    assert login(app.test_client(), "agent@example.com", PASSWORD).status_code == 400


def test_a_new_password_set_by_an_admin_ends_the_users_sessions_and_works(app, admin_client):
    agent = person(app, "agent@example.com")
    client = client_as(app, "agent@example.com")
    data = {"name": "", "role": "agent", "manager_id": "", "department_id": "", "is_active": "y", "password": "another long password"}
    assert post(admin_client, f"/admin/users/{agent}", data).status_code == 302
    assert client.get("/").status_code == 302
    client_as(app, "agent@example.com", "another long password")


def test_an_admin_set_password_must_meet_the_policy(app, admin_client):
    agent = person(app, "agent@example.com")
    data = {"name": "", "role": "agent", "manager_id": "", "department_id": "", "is_active": "y", "password": "short"}
    response = post(admin_client, f"/admin/users/{agent}", data)
    assert response.status_code == 422 and "at least 12 characters" in response.get_data(as_text=True)


def test_nobody_can_be_their_own_manager(app, admin_client):
    agent = person(app, "agent@example.com")
    data = {"role": "agent", "manager_id": agent, "department_id": "", "is_active": "y"}
    response = post(admin_client, f"/admin/users/{agent}", data)
    assert response.status_code == 422
    assert user_row(app, "agent@example.com").manager_id is None


def test_nobody_can_become_their_own_indirect_manager(app, admin_client):
    top = person(app, "top@example.com", role="manager")
    middle = person(app, "middle@example.com", manager_id=top)
    bottom = person(app, "bottom@example.com", manager_id=middle)
    data = {"role": "manager", "manager_id": bottom, "department_id": "", "is_active": "y"}
    response = post(admin_client, f"/admin/users/{top}", data)
    assert response.status_code == 422
    assert "would make a loop" in response.get_data(as_text=True)
    assert user_row(app, "top@example.com").manager_id is None
