"""Offices and departments (a tree with heads), and "why can this user see this record?"
on the admin page and with `crmkit perms explain`."""

from __future__ import annotations

import re

import pytest

from tests.people import client_as, new_department, new_project, page, person, post
from tests.plugins.projects import hooks as projects


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def new_office(admin, name, timezone="Asia/Almaty"):
    return post(admin, "/admin/org", {"kind": "office", "name": name, "address": "Abay 1", "timezone": timezone})


def office_id(admin, name) -> int:
    return int(re.findall(r'href="/admin/org/offices/(\d+)">' + name + "<", page(admin, "/admin/org"))[0])


def test_an_office_with_nested_departments_and_a_head_shows_as_a_tree(app, admin_client):
    assert new_office(admin_client, "Almaty").status_code == 302
    almaty = office_id(admin_client, "Almaty")
    head = person(app, "head@example.com", role="manager", name="Dana Head")
    sales = new_department(admin_client, "Sales", office_id=almaty, head_id=head)
    new_department(admin_client, "Sales North", parent_id=sales)
    tree = page(admin_client, "/admin/org")
    assert tree.index(">Almaty<") < tree.index(">Sales<") < tree.index(">Sales North<")
    assert "head: Dana Head" in tree
    nested = r'<a href="/admin/org/departments/1">Sales</a>[^<]*<small[^>]*>[^<]*</small>\s*<ul>\s*<li>\s*<a href="/admin/org/departments/2">Sales North'
    assert re.search(nested, tree), "Sales North should sit in a list inside Sales's item"


def test_an_office_time_zone_must_be_a_real_zone(app, admin_client):
    response = new_office(admin_client, "Nowhere", timezone="Mars/Olympus")
    assert response.status_code == 422 and "Unknown time zone" in response.get_data(as_text=True)
    assert ">Nowhere<" not in page(admin_client, "/admin/org")


def test_two_offices_cannot_share_a_name(app, admin_client):
    new_office(admin_client, "Astana")
    assert new_office(admin_client, "Astana").status_code == 422


def test_a_department_cannot_move_inside_its_own_sub_department(app, admin_client):
    sales = new_department(admin_client, "Sales")
    north = new_department(admin_client, "Sales North", parent_id=sales)
    response = post(admin_client, f"/admin/org/departments/{sales}", {"name": "Sales", "parent_id": north})
    assert response.status_code == 422
    assert "cannot sit inside itself" in response.get_data(as_text=True)


def test_a_department_cannot_be_its_own_parent(app, admin_client):
    sales = new_department(admin_client, "Sales")
    assert post(admin_client, f"/admin/org/departments/{sales}", {"name": "Sales", "parent_id": sales}).status_code == 422


def test_editing_a_department_changes_its_head(app, admin_client):
    sales = new_department(admin_client, "Sales")
    head = person(app, "head@example.com", name="New Head")
    assert post(admin_client, f"/admin/org/departments/{sales}", {"name": "Sales", "head_id": head}).status_code == 302
    assert "head: New Head" in page(admin_client, "/admin/org")


# "Why can this user see this record?"


@pytest.fixture
def records(app, admin_client):
    """An agent's project, and a manager in the agent's department."""
    sales = new_department(admin_client, "Sales")
    person(app, "agent@example.com", department_id=sales, name="Agent A")
    person(app, "other@example.com")
    person(app, "manager@example.com", role="manager", department_id=sales)
    location = new_project(client_as(app, "agent@example.com"), "Deal")
    return int(location.rsplit("/", 1)[1])


def explain(admin, email, record_id):
    return page(admin, f"/admin/explain?user={email}&entity=projects.project&record={record_id}")


def test_explain_names_the_department_rule_and_what_a_manager_may_do(admin_client, records):
    answer = explain(admin_client, "manager@example.com", records)
    assert "manager@example.com sees this record." in answer
    assert "departments under it; the owner is Agent A." in answer
    assert 'data-ability="view">yes' in answer and 'data-ability="archive">yes' in answer


def test_explain_says_an_agent_does_not_see_anothers_record(admin_client, records):
    answer = explain(admin_client, "other@example.com", records)
    assert "other@example.com does not see this record." in answer
    assert "sees only records the user owns; the owner is Agent A." in answer
    assert 'data-ability="view">no' in answer and 'data-ability="edit">no' in answer


def test_explain_shows_an_owner_may_edit_but_not_archive_or_export(admin_client, records):
    answer = explain(admin_client, "agent@example.com", records)
    assert 'data-ability="edit">yes' in answer
    assert 'data-ability="archive">no' in answer and 'data-ability="export">no' in answer


def test_explain_for_a_missing_record_is_404_with_a_message(admin_client, records):
    response = admin_client.get("/admin/explain?user=agent@example.com&entity=projects.project&record=999")
    assert response.status_code == 404 and "No such record." in response.get_data(as_text=True)


def test_perms_explain_command_gives_the_same_answer(app, admin_client, records):
    result = app.test_cli_runner().invoke(
        args=["perms", "explain", "--user", "manager@example.com", "--entity", "projects.project", "--record", str(records)]
    )
    assert result.exit_code == 0, result.output
    assert "sees: yes" in result.output
    assert "departments under it; the owner is Agent A." in result.output
    assert "export: yes" in result.output


def test_perms_explain_command_names_an_unknown_entity(app, admin_client, records):
    result = app.test_cli_runner().invoke(
        args=["perms", "explain", "--user", "manager@example.com", "--entity", "nope", "--record", "1"]
    )
    assert result.exit_code != 0
    assert "no entity 'nope'; entities: " in result.output and "projects.project" in result.output
