"""Custom fields an admin adds from /admin/fields: on forms and pages at once, stored in extra["custom"]."""

import pytest

from crmkit import db
from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def add_field(client, **fields):
    data = {"entity": "projects.project", "type": "text", "csrf_token": csrf_token(client, "/admin/fields/"), **fields}
    return client.post("/admin/fields/", data=data)


def create(client, **fields):
    data = {"name": "Flat", "status": "planned", "csrf_token": csrf_token(client, "/projects/project/new"), **fields}
    return client.post("/projects/project/new", data=data)


def test_a_field_added_by_the_admin_is_on_the_form_at_once(admin_client):
    assert add_field(admin_client, name="region", label="Region").status_code == 302
    page = admin_client.get("/projects/project/new").get_data(as_text=True)
    assert "<legend>Custom fields</legend>" in page and 'name="custom.region"' in page


def test_custom_values_are_stored_in_extra_under_custom_and_shown_on_the_record(app, admin_client):
    add_field(admin_client, name="region", label="Region")
    add_field(admin_client, name="fee", label="Fee", type="money")
    location = create(admin_client, **{"custom.region": "Almaty", "custom.fee": "1200.50"}).location
    with app.app_context():
        assert db.session().get(projects.Project, 1).extra == {"custom": {"region": "Almaty", "fee": "1200.50"}}
    page = admin_client.get(location).get_data(as_text=True)
    assert "Region" in page and "<dd>Almaty</dd>" in page


@pytest.mark.parametrize(
    ("kind", "extra", "bad"),
    [
        ("number", {}, "many"),
        ("date", {}, "31.02.2026"),
        ("choice", {"choices": "hot, cold"}, "warm"),
        ("link", {"link": "projects.project"}, "-1"),
    ],
)
def test_a_custom_value_of_the_wrong_kind_is_refused_under_its_field(admin_client, kind, extra, bad):
    add_field(admin_client, name="thing", label="Thing", type=kind, **extra)
    response = create(admin_client, **{"custom.thing": bad})
    assert response.status_code == 422
    assert 'id="e-custom.thing"' in response.get_data(as_text=True)


def test_a_required_custom_field_must_be_filled(admin_client):
    add_field(admin_client, name="region", label="Region", required="on")
    assert create(admin_client).status_code == 422
    assert create(admin_client, **{"custom.region": "Astana"}).status_code == 302


def test_a_boolean_custom_field_is_a_checkbox(app, admin_client):
    add_field(admin_client, name="vip", label="VIP", type="boolean")
    create(admin_client, **{"custom.vip": "on"})
    with app.app_context():
        assert db.session().get(projects.Project, 1).extra["custom"]["vip"] is True


def test_the_list_filters_by_a_custom_field(admin_client):
    add_field(admin_client, name="region", label="Region")
    create(admin_client, name="North", **{"custom.region": "Astana"})
    create(admin_client, name="South", **{"custom.region": "Almaty"})
    page = admin_client.get("/projects/project/?custom.region=Almaty").get_data(as_text=True)
    assert "South" in page and "North" not in page


def test_a_field_name_taken_by_the_entity_is_refused(admin_client):
    response = add_field(admin_client, name="status", label="Status again")
    assert response.status_code == 422
    assert "already has a field with that name" in response.get_data(as_text=True)


def test_removing_a_field_hides_it_and_keeps_stored_values(app, admin_client):
    add_field(admin_client, name="region", label="Region")
    create(admin_client, **{"custom.region": "Almaty"})
    admin_client.post("/admin/fields/1/delete", data={"csrf_token": csrf_token(admin_client, "/admin/fields/")})
    assert 'name="custom.region"' not in admin_client.get("/projects/project/new").get_data(as_text=True)
    with app.app_context():
        assert db.session().get(projects.Project, 1).extra == {"custom": {"region": "Almaty"}}


def test_the_fields_page_is_for_admins_only(app):
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    assert agent.get("/admin/fields/").status_code == 403
    assert agent.post("/admin/fields/", data={"name": "x"}).status_code in (400, 403)


def test_a_link_field_shows_a_link_to_the_other_record_by_its_title(admin_client):
    add_field(admin_client, name="parent", label="Parent", type="link", link="projects.project")
    create(admin_client, name="Parent project")
    location = create(admin_client, name="Child", **{"custom.parent": "1"}).location
    assert 'href="/projects/project/1">Parent project</a>' in admin_client.get(location).get_data(as_text=True)
