"""Read-only (``dump_only``) fields: values a plugin computes and keeps itself (a complaint's count
of edits in its own column, a project's count of reviews in an extension group) are shown on the
record's page, in lists and in the API, and are never an input."""

import re

import pytest

from tests.conftest import add_user, csrf_token, login, token_client
from tests.plugins.casework import hooks as casework
from tests.plugins.projects import hooks as projects


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects, casework], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def admin(app):
    add_user(app, is_admin=True, name="Admin")
    client = app.test_client()
    login(client)
    return client


@pytest.fixture
def reviewer(app):
    return add_user(app, "reviewer@example.kz", "a long enough password", name="Dana Reviewer").id


def save_form(client, url, **fields):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **fields})


def edited_complaint(client):
    """A complaint saved, then edited twice: its count of edits is 2."""
    save_form(client, "/casework/complaint/new", name="Leak")
    for version in (1, 2):
        save_form(client, "/casework/complaint/1/edit", name=f"Leak {version}", version=str(version))
    return 1


def reviewed_project(client, reviewer_id):
    """A project whose reviewer was set once after it was made: one review counted."""
    save_form(client, "/projects/project/new", name="Flat", status="planned")
    save_form(client, "/projects/project/1/edit", name="Flat", status="planned", version="1",
              **{"casework.reviewer_id": str(reviewer_id)})
    return 1


def test_an_entitys_computed_field_shows_on_its_page_but_not_on_its_form(app, admin):
    edited_complaint(admin)
    assert re.search(r"<dt>Edits</dt>\s*<dd>2</dd>", admin.get("/casework/complaint/1").get_data(as_text=True))
    assert 'name="edits"' not in admin.get("/casework/complaint/1/edit").get_data(as_text=True)


def test_an_entitys_computed_field_is_a_list_column(app, admin):
    edited_complaint(admin)
    row = re.search(r"<tr>\s*<td class=\"check\">.*?</tr>", admin.get("/casework/complaint/").get_data(as_text=True), re.S).group(0)
    assert re.search(r">Leak 2</a></td>.*<td[^>]*>2</td>", row, re.S)  # the edits column, then the owner


def test_an_extensions_computed_field_shows_on_the_page_under_its_group(app, admin, reviewer):
    reviewed_project(admin, reviewer)
    page = admin.get("/projects/project/1").get_data(as_text=True)
    group = re.search(r'<dl class="fields" data-group="casework">.*?</dl>', page, re.S).group(0)
    assert re.search(r"<dt>Reviews</dt>\s*<dd>1</dd>", group)
    assert 'name="casework.reviews"' not in admin.get("/projects/project/1/edit").get_data(as_text=True)


def test_the_api_shows_computed_fields_of_the_entity_and_of_extensions(app, admin, reviewer):
    edited_complaint(admin)
    reviewed_project(admin, reviewer)
    client = token_client(app)
    assert client.get("/api/v1/casework/complaint/1").get_json()["edits"] == 2
    assert client.get("/api/v1/projects/project/1").get_json()["casework"] == {"reviewer_id": reviewer, "reviews": 1}


@pytest.mark.parametrize("path, body", [
    ("/api/v1/casework/complaint/1", {"edits": 100}),
    ("/api/v1/projects/project/1", {"casework": {"reviews": 100}}),
])
def test_the_api_refuses_to_set_a_computed_field(app, admin, reviewer, path, body):
    edited_complaint(admin)
    reviewed_project(admin, reviewer)
    client = token_client(app)
    version = client.get(path).get_json()["version"]
    response = client.patch(path, json=body, headers={"If-Match": f'"{version}"'})
    assert response.status_code == 422
    assert list(response.get_json()["error"]["fields"]) in (["edits"], ["casework.reviews"])


def test_saving_a_form_keeps_an_extensions_computed_value(app, admin, reviewer):
    reviewed_project(admin, reviewer)
    save_form(admin, "/projects/project/1/edit", name="Flat renamed", status="planned", version="2",
              **{"casework.reviewer_id": str(reviewer), "casework.reviews": "50"})
    assert token_client(app).get("/api/v1/projects/project/1").get_json()["casework"]["reviews"] == 1


def test_the_openapi_document_marks_computed_fields_read_only(app, admin):
    spec = token_client(app).get("/api/v1/openapi.json").get_json()
    assert spec["components"]["schemas"]["CaseworkComplaint"]["properties"]["edits"]["readOnly"] is True
