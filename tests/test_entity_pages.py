"""Generic pages of a declared entity: list, create, edit, conflicts, archive, history."""

import pytest

from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def create(client, **fields):
    data = {"name": "Apartment sale", "status": "planned", "csrf_token": csrf_token(client, "/projects/project/new"), **fields}
    return client.post("/projects/project/new", data=data)


def test_entity_list_page_is_in_the_navigation(admin_client):
    assert 'href="/projects/project/"' in admin_client.get("/").get_data(as_text=True)


def test_creating_a_record_from_the_form_opens_its_page(admin_client):
    response = create(admin_client, budget="1500.50", due="2026-12-31")
    assert response.status_code == 302
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "Apartment sale" in page and "1500.50" in page


def test_invalid_input_shows_an_error_under_each_bad_field_and_keeps_the_rest(admin_client):
    response = create(admin_client, name="", budget="-5", contact_email="not-an-email")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert page.count('class="errors"') == 3
    assert 'value="not-an-email"' in page


def test_the_list_filters_by_a_declared_field(admin_client):
    create(admin_client, name="Planned one")
    create(admin_client, name="Active one", status="active")
    page = admin_client.get("/projects/project/?status=active").get_data(as_text=True)
    assert "Active one" in page and "Planned one" not in page


def test_the_list_pages_by_cursor_without_repeating_or_skipping(admin_client):
    for number in range(7):
        create(admin_client, name=f"Project {number}")
    seen, url = [], "/projects/project/?limit=3&sort=name"
    while url:
        page = admin_client.get(url).get_data(as_text=True)
        seen += [f"Project {n}" for n in range(7) if f">Project {n}<" in page]
        marker = 'rel="next" href="'
        url = page.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in page else None
    assert seen == [f"Project {n}" for n in range(7)]


def test_a_stale_edit_gets_409_with_both_versions_and_overwrites_nothing(admin_client):
    location = create(admin_client).location
    token = csrf_token(admin_client, location + "/edit")
    first = admin_client.post(location + "/edit", data={"name": "First", "status": "planned", "version": "1", "csrf_token": token})
    assert first.status_code == 302
    stale = admin_client.post(location + "/edit", data={"name": "Second", "status": "planned", "version": "1", "csrf_token": token})
    page = stale.get_data(as_text=True)
    assert stale.status_code == 409
    assert "First" in page and "Second" in page
    assert ">First<" in admin_client.get(location).get_data(as_text=True)


def test_archive_hides_a_record_from_the_list_and_restore_brings_it_back(admin_client):
    location = create(admin_client, name="Old deal").location
    token = csrf_token(admin_client, location)
    admin_client.post(location + "/archive", data={"action": "archive", "version": "1", "csrf_token": token})
    assert "Old deal" not in admin_client.get("/projects/project/").get_data(as_text=True)
    assert "Old deal" in admin_client.get("/projects/project/?archived=1").get_data(as_text=True)
    admin_client.post(location + "/archive", data={"action": "restore", "csrf_token": token})
    assert "Old deal" in admin_client.get("/projects/project/").get_data(as_text=True)


def test_history_shows_each_changed_field_with_old_and_new_value(admin_client):
    location = create(admin_client, name="Before").location
    token = csrf_token(admin_client, location + "/edit")
    admin_client.post(location + "/edit", data={"name": "After", "status": "planned", "version": "1", "csrf_token": token})
    page = admin_client.get(location).get_data(as_text=True)
    assert "<del>Before</del> → <ins>After</ins>" in page


def test_an_agent_sees_only_own_records(app, admin_client):
    create(admin_client, name="Admin project")
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    create(agent, name="Agent project")
    page = agent.get("/projects/project/").get_data(as_text=True)
    assert "Agent project" in page and "Admin project" not in page
    assert agent.get("/projects/project/1").status_code == 404
