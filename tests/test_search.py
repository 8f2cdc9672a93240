"""Search: one box over every entity's search fields, Cyrillic folded, phone and email fragments
found, permissions and visibility respected, the index kept in step with every change."""

import pytest

from crmkit import db
from crmkit.core.access.models import Role
from tests.conftest import add_user, csrf_token, login
from tests.plugins.phonebook import hooks as phonebook
from tests.plugins.projects import hooks as projects

AGENT = ("agent@example.com", "a long agent passphrase")


@pytest.fixture
def app(make_app):
    return make_app(plugins=[phonebook, projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def add_person(client, **fields):
    data = {"name": "Иванов Пётр", "csrf_token": csrf_token(client, "/phonebook/person/new"), **fields}
    response = client.post("/phonebook/person/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def found(client, q, **args):
    """The result page's text, with only the results part."""
    page = client.get("/search", query_string={"q": q, **args}).get_data(as_text=True)
    return page.split("<h1>", 1)[1]


def agent_client(app):
    add_user(app, *AGENT, role="agent", name="Agent")
    client = app.test_client()
    assert login(client, *AGENT).status_code == 302
    return client


def test_a_lower_case_cyrillic_word_finds_a_capitalised_name(admin_client):
    add_person(admin_client, name="Иванов Пётр")
    assert "Иванов Пётр" in found(admin_client, "иванов")


def test_the_start_of_a_word_finds_it(admin_client):
    add_person(admin_client, name="Константинопольский")
    assert "Константинопольский" in found(admin_client, "конст")


def test_every_word_of_the_query_must_match(admin_client):
    add_person(admin_client, name="Иванов Пётр")
    add_person(admin_client, name="Иванов Сергей")
    page = found(admin_client, "иванов серг")
    assert "Иванов Сергей" in page and "Иванов Пётр" not in page


@pytest.mark.parametrize("q", ["701 123", "1234567", "+7 (701) 123-45-67", "8 701 1234567", "7011234567", "011234", "112345", "4567"])
def test_a_phone_fragment_in_any_format_finds_the_number(admin_client, q):
    add_person(admin_client, name="Phone owner", phone="+77011234567")
    assert "Phone owner" in found(admin_client, q)


def test_a_phone_fragment_must_match_to_its_last_digit(admin_client):
    add_person(admin_client, name="Ends in 4567", phone="+77011234567")
    add_person(admin_client, name="Ends in 9999", phone="+77011239999")
    page = found(admin_client, "7011234")
    assert "Ends in 4567" in page and "Ends in 9999" not in page


def test_a_formatted_phone_is_found_by_its_digits(admin_client):
    add_person(admin_client, name="Formatted", phone="+7 (701) 765-43-21")
    assert "Formatted" in found(admin_client, "7654321")


def test_a_single_letter_finds_only_a_whole_word(admin_client):
    add_person(admin_client, name="A Petrov")
    add_person(admin_client, name="Anna Petrova")
    page = found(admin_client, "a")
    assert "A Petrov" in page and "Anna" not in page


def test_a_fragment_across_two_words_finds_them(admin_client):
    add_person(admin_client, name="Иванов Пётр")
    assert "Иванов Пётр" in found(admin_client, "ов пёт")


def test_a_fragment_from_the_middle_of_an_email_finds_it(admin_client):
    add_person(admin_client, name="Mail owner", email="ivanov.petr@example.com")
    assert "Mail owner" in found(admin_client, "petr@exam")


def test_an_email_with_digits_is_found_by_a_fragment_or_by_its_words(admin_client):
    add_person(admin_client, name="Digits owner", email="ivanov123@example.com")
    assert "Digits owner" in found(admin_client, "ivanov123@exa")
    assert "Digits owner" in found(admin_client, "example ivanov123")
    assert "Digits owner" not in found(admin_client, "example ivanov124")


def test_a_query_that_matches_nothing_says_so(admin_client):
    add_person(admin_client, name="Someone")
    page = found(admin_client, "zzzqqq")
    assert "Nothing found" in page and "Someone" not in page


def test_results_are_grouped_by_entity_type_and_link_to_the_record(admin_client):
    location = add_person(admin_client, name="Astana office")
    token = csrf_token(admin_client, "/projects/project/new")
    admin_client.post("/projects/project/new", data={"name": "Astana tower", "status": "planned", "csrf_token": token})
    page = found(admin_client, "astana")
    people, projects_part = page.split('data-entity="phonebook.person"')[1], page.split('data-entity="projects.project"')[1]
    assert "People" in people and "Projects" in projects_part
    assert f'href="{location}"' in page and "Astana tower" in projects_part


def test_an_agent_does_not_find_records_of_others(app, admin_client):
    add_person(admin_client, name="Admin's client")
    agent = agent_client(app)
    add_person(agent, name="Agent's client")
    page = found(agent, "client")
    assert "Agent&#39;s client" in page and "Admin&#39;s client" not in page


def test_a_user_without_view_permission_finds_nothing_of_that_entity(app, admin_client):
    add_person(admin_client, name="Hidden person")
    token = csrf_token(admin_client, "/projects/project/new")
    admin_client.post("/projects/project/new", data={"name": "Hidden project", "status": "planned", "csrf_token": token})
    with app.app_context():
        db.session().add(Role(name="viewer", permissions=["projects.project.view"], visibility={"*": "all"}))
        db.session().commit()
    add_user(app, "viewer@example.com", "a long viewer passphrase", role="viewer")
    viewer = app.test_client()
    login(viewer, "viewer@example.com", "a long viewer passphrase")
    page = found(viewer, "hidden")
    assert "Hidden project" in page and "Hidden person" not in page


def test_archived_records_are_not_found(admin_client):
    location = add_person(admin_client, name="Archived person")
    admin_client.post(location + "/archive", data={"action": "archive", "version": "1", "csrf_token": csrf_token(admin_client, location)})
    assert "Archived person" not in found(admin_client, "archived")


def test_a_restored_record_is_found_again(admin_client):
    location = add_person(admin_client, name="Returning person")
    token = csrf_token(admin_client, location)
    admin_client.post(location + "/archive", data={"action": "archive", "version": "1", "csrf_token": token})
    admin_client.post(location + "/archive", data={"action": "restore", "csrf_token": token})
    assert "Returning person" in found(admin_client, "returning")


def test_an_edit_updates_the_index(admin_client):
    location = add_person(admin_client, name="Old name")
    token = csrf_token(admin_client, location + "/edit")
    admin_client.post(location + "/edit", data={"name": "Новое имя", "version": "1", "csrf_token": token})
    assert "Новое имя" in found(admin_client, "новое")
    assert "Новое имя" not in found(admin_client, "old name")


def test_the_search_box_is_in_the_top_bar_for_logged_in_users(client, admin_client):
    assert 'role="search"' in admin_client.get("/").get_data(as_text=True)
    assert 'role="search"' not in client.get("/login").get_data(as_text=True)


def test_the_search_page_needs_a_login(client):
    assert client.get("/search?q=x").status_code in (302, 401)


def test_a_full_group_links_to_all_results_of_its_entity(app, admin_client):
    for number in range(12):
        add_person(admin_client, name=f"Many {number:02d}")
    page = found(admin_client, "many")
    assert page.count(">Many ") == 10
    more = 'href="/search?q=many&amp;entity=phonebook.person"'
    assert more in page
    assert found(admin_client, "many", entity="phonebook.person").count(">Many ") == 12


def test_searching_an_unknown_entity_is_not_found(admin_client):
    assert admin_client.get("/search?q=x&entity=nope.nothing").status_code == 404
