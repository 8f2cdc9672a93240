"""The record picker: ``GET /-/pick/<entity>?q=`` suggests the records a user may see, and a link
field is a select while the user sees few records, a picker past links.SELECT_UP_TO (forms, the
person page's "Add job"), and always a picker in a list's filters."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Role
from crmkit.core.contacts.models import Employment
from crmkit.core.records import links
from tests.conftest import add_user, login
from tests.picking import (
    agent_client,
    new_organization,
    new_person,
    person_id,
    post,
    suggested,
    typed,
)


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def few(monkeypatch):
    """A select for up to two records, a picker past that."""
    monkeypatch.setattr(links, "SELECT_UP_TO", 2)


# the suggestions


def test_the_picker_suggests_the_records_a_query_finds(admin_client):
    first, second = new_organization(admin_client, "ТОО Алтын Құрылыс"), new_organization(admin_client, "АО Алтын Сервис")
    new_organization(admin_client, "ТОО Береке")
    body = admin_client.get("/-/pick/organization?q=алтын").get_json()
    assert sorted(body["results"], key=lambda row: row["id"]) == [
        {"id": first, "title": "ТОО Алтын Құрылыс"}, {"id": second, "title": "АО Алтын Сервис"},
    ]


def test_with_nothing_typed_the_newest_records_are_suggested(admin_client):
    for name in ("First LLP", "Second LLP", "Third LLP"):
        new_organization(admin_client, name)
    assert suggested(admin_client) == ["Third LLP", "Second LLP", "First LLP"]


def test_at_most_twenty_records_are_suggested(admin_client):
    for number in range(links.SUGGESTIONS + 3):
        new_organization(admin_client, f"Branch {number}")
    assert len(suggested(admin_client, q="branch")) == links.SUGGESTIONS


def test_archived_records_are_not_suggested(admin_client):
    archived = new_organization(admin_client, "Closed LLP")
    post(admin_client, f"/organization/{archived}/archive", version="1")
    assert suggested(admin_client, q="closed") == []


def test_an_agent_who_sees_only_own_records_is_not_offered_others(app, admin_client):
    new_organization(admin_client, "Admin's Alpha")
    agent = agent_client(app)
    new_organization(agent, "Agent's Alpha")
    assert suggested(agent, q="alpha") == ["Agent's Alpha"]
    assert suggested(agent) == ["Agent's Alpha"]


def test_a_role_without_view_permission_gets_403(app):
    with app.app_context():
        db.session().add(Role(name="people_only", label="People only", permissions=["person.*"], visibility={"*": "all"}))
        db.session().commit()
    add_user(app, "people@example.com", "a long people passphrase", role="people_only")
    client = app.test_client()
    login(client, "people@example.com", "a long people passphrase")
    assert client.get("/-/pick/organization?q=a").status_code == 403


def test_an_unknown_entity_is_404(admin_client):
    assert admin_client.get("/-/pick/spaceship?q=a").status_code == 404


def test_the_suggestions_need_a_login(client):
    response = client.get("/-/pick/organization?q=a")
    assert response.status_code == 302 and "/login" in response.location


# select or picker


def test_a_link_field_is_a_select_while_the_user_sees_few_records(admin_client, few):
    new_organization(admin_client, "Beta LLP")
    new_organization(admin_client, "Alpha LLP")
    page = admin_client.get("/person/new").get_data(as_text=True)
    assert '<select id="f-organization_id" name="organization_id">' in page
    assert page.index(">Alpha LLP</option>") < page.index(">Beta LLP</option>")


def test_past_the_threshold_a_link_field_is_a_picker_showing_the_current_title(admin_client, few):
    chosen = new_organization(admin_client, "Alpha LLP")
    new_organization(admin_client, "Beta LLP")
    new_organization(admin_client, "Gamma LLP")
    record = person_id(new_person(admin_client, organization_id=str(chosen)))
    page = admin_client.get(f"/person/{record}/edit").get_data(as_text=True)
    assert 'id="f-organization_id"' in page and 'role="combobox"' in page and "<select id=\"f-organization_id\"" not in page
    assert f'<input type="hidden" name="organization_id" value="{chosen}">' in page
    assert 'name="organization_id-title" value="Alpha LLP"' in page
    assert 'data-picker="/-/pick/organization"' in page and "Gamma LLP" not in page


def test_the_threshold_counts_only_the_records_the_user_sees(app, admin_client, few):
    for name in ("Alpha LLP", "Beta LLP", "Gamma LLP"):
        new_organization(admin_client, name)
    agent = agent_client(app)
    new_organization(agent, "Agent's LLP")
    page = agent.get("/person/new").get_data(as_text=True)
    assert '<select id="f-organization_id" name="organization_id">' in page and "Alpha LLP" not in page


def test_a_list_filters_by_a_link_field_through_a_picker_showing_the_title(admin_client):
    alpha, beta = new_organization(admin_client, "Alpha LLP"), new_organization(admin_client, "Beta LLP")
    new_person(admin_client, name="Works at Alpha", organization_id=str(alpha))
    new_person(admin_client, name="Works at Beta", organization_id=str(beta))
    page = admin_client.get(f"/person/?organization_id={alpha}").get_data(as_text=True)
    filters = page.split('<form method="get" class="filters">', 1)[1].split("</form>", 1)[0]
    assert f'<input type="hidden" name="organization_id" value="{alpha}">' in filters
    assert 'id="filter-organization_id" type="text" value="Alpha LLP"' in filters  # no name: only the id is sent
    assert "Works at Alpha" in page and "Works at Beta" not in page


# the person page's "Add job"


def test_the_add_job_form_offers_a_picker_when_there_are_many_organisations(admin_client, few):
    for name in ("Alpha LLP", "Beta LLP", "Gamma LLP"):
        new_organization(admin_client, name)
    record = person_id(new_person(admin_client))
    page = admin_client.get(f"/person/{record}").get_data(as_text=True)
    jobs = page.split('<div id="jobs">', 1)[1].split("</form>", 1)[0]  # the add-job form, not the panels after it
    assert 'id="job-organization"' in jobs and 'role="combobox"' in jobs and "<option" not in jobs


def test_a_job_is_added_by_typing_the_organisation_name(app, admin_client, few):
    for name in ("Alpha LLP", "Beta LLP"):
        new_organization(admin_client, name)
    gamma = new_organization(admin_client, "Gamma LLP")
    record = person_id(new_person(admin_client))
    response = post(admin_client, f"/person/{record}/jobs", position="Adviser", **typed("gamma"))
    assert response.status_code == 302
    with app.app_context():
        job = db.session().execute(select(Employment)).scalar_one()
    assert (job.organization_id, job.position) == (gamma, "Adviser")


def test_a_job_at_an_organisation_no_one_can_find_is_refused_with_the_reason(app, admin_client):
    new_organization(admin_client, "Alpha LLP")
    record = person_id(new_person(admin_client))
    response = post(admin_client, f"/person/{record}/jobs", **typed("Omega"))
    assert response.status_code == 302
    assert "Nothing matches this name." in admin_client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(Employment)).first() is None
