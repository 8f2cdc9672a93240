"""People and organisations: phones normalised with the typed form kept, the phone/email index,
identification numbers, who works where, and import with phone and email as duplicate keys."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.contacts.models import Channel, Employment, Organization, Person
from crmkit.core.api.tokens import create_token
from crmkit.core.auth.service import find_user
from tests.conftest import add_user, csrf_token, login


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def post(client, path, **fields):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **fields})


def new_organization(client, **fields):
    response = post(client, "/organization/new", **{"name": "ТОО Алтын Құрылыс", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def new_person(client, **fields):
    response = post(client, "/person/new", **{"name": "Серикбаев Нурлан Ержанович", **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def stored(app, model, record_id):
    with app.app_context():
        return db.session().get(model, record_id)


def channels_of(app, entity, record_id):
    with app.app_context():
        rows = db.session().execute(
            select(Channel.kind, Channel.value).where(Channel.entity == entity, Channel.record_id == record_id)
        )
        return sorted(tuple(row) for row in rows)


def test_a_phone_typed_in_any_format_is_stored_in_e164_with_the_typed_form_kept(app, admin_client):
    person = stored(app, Person, new_person(admin_client, phone="8 (701) 123-45-67"))
    assert person.phone == "+77011234567"
    assert person.phones_typed == {"+77011234567": "8 (701) 123-45-67"}


def test_every_phone_and_email_of_a_person_is_in_the_channel_index(app, admin_client):
    person_id = new_person(
        admin_client, phone="+7 701 123 45 67", other_phones="8 916 123-45-67\n+7 727 250 00 00",
        email="Nurlan@Example.kz", other_emails="n.serikbayev@почта.рф",
    )
    assert channels_of(app, "person", person_id) == [
        ("email", "n.serikbayev@почта.рф"), ("email", "nurlan@example.kz"),
        ("phone", "+77011234567"), ("phone", "+77272500000"), ("phone", "+79161234567"),
    ]


def test_editing_phones_replaces_their_index_entries(app, admin_client):
    person_id = new_person(admin_client, phone="+77011234567")
    person = stored(app, Person, person_id)
    response = post(admin_client, f"/person/{person_id}/edit", name=person.name, phone="+77771112233", version=person.version)
    assert response.status_code == 302
    assert channels_of(app, "person", person_id) == [("phone", "+77771112233")]


def test_a_bad_phone_or_iin_is_reported_under_its_field(admin_client):
    response = post(admin_client, "/person/new", name="Иванов Иван", phone="12", iin="123456789012")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not a valid phone number." in page
    assert "IIN" in page and page.count('class="errors"') == 2


def test_an_organisation_keeps_a_valid_bin(app, admin_client):
    organization_id = new_organization(admin_client, bin="061240001236")
    assert stored(app, Organization, organization_id).bin == "061240001236"


def test_counterparty_roles_can_be_combined_and_filtered(admin_client):
    new_organization(admin_client, name="Supplier and partner", is_supplier="on", is_partner="on")
    new_organization(admin_client, name="Only a client", is_client="on")
    page = admin_client.get("/organization/?is_partner=true").get_data(as_text=True)
    assert "Supplier and partner" in page and "Only a client" not in page


def test_a_person_is_added_from_their_organisation_page_with_it_chosen(admin_client):
    organization_id = new_organization(admin_client)
    page = admin_client.get(f"/organization/{organization_id}").get_data(as_text=True)
    assert f"/person/new?organization_id={organization_id}" in page
    form = admin_client.get(f"/person/new?organization_id={organization_id}").get_data(as_text=True)
    assert f'<option value="{organization_id}" selected>ТОО Алтын Құрылыс</option>' in form


def test_an_organisation_page_lists_its_people_and_a_person_page_names_the_organisation(admin_client):
    organization_id = new_organization(admin_client)
    person_id = new_person(admin_client, organization_id=str(organization_id), position="Директор")
    organization_page = admin_client.get(f"/organization/{organization_id}").get_data(as_text=True)
    assert "Серикбаев Нурлан Ержанович" in organization_page and "Директор" in organization_page
    person_page = admin_client.get(f"/person/{person_id}").get_data(as_text=True)
    assert f'href="/organization/{organization_id}">ТОО Алтын Құрылыс</a>' in person_page


def test_a_branch_is_listed_on_its_head_organisation(admin_client):
    head_id = new_organization(admin_client, name="АО Head")
    new_organization(admin_client, name="АО Head, Astana branch", parent_id=str(head_id))
    assert "АО Head, Astana branch" in admin_client.get(f"/organization/{head_id}").get_data(as_text=True)


def test_a_person_can_hold_another_job_which_can_end(app, admin_client):
    main_id, other_id = new_organization(admin_client, name="Main LLP"), new_organization(admin_client, name="Board Ltd")
    person_id = new_person(admin_client, organization_id=str(main_id))
    assert post(admin_client, f"/person/{person_id}/jobs", organization_id=str(other_id), position="Член совета").status_code == 302
    with app.app_context():
        job = db.session().execute(select(Employment)).scalar_one()
    assert (job.person_id, job.organization_id, job.position, job.current) == (person_id, other_id, "Член совета", True)
    assert "Член совета" in admin_client.get(f"/organization/{other_id}").get_data(as_text=True)
    post(admin_client, f"/person/{person_id}/jobs/{job.id}/end", action="end")
    assert stored(app, Employment, job.id).current is False


def test_an_agent_cannot_add_a_job_to_someone_elses_person(app, admin_client):
    person_id = new_person(admin_client)
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    response = agent.post(f"/person/{person_id}/jobs", data={"organization_id": "1", "csrf_token": csrf_token(agent, "/")})
    assert response.status_code == 404


def test_the_person_api_returns_the_typed_phones_beside_the_e164_ones(app, admin_client):
    person_id = new_person(admin_client, phone="8 701 123 45 67")
    body = admin_client.get(f"/api/v1/person/{person_id}").get_json()
    assert body["phone"] == "+77011234567" and body["phones_typed"] == {"+77011234567": "8 701 123 45 67"}


def test_importing_people_normalises_phones_indexes_them_and_skips_duplicates_by_phone(app, runner, tmp_path):
    add_user(app, is_admin=True)
    existing = tmp_path / "first.csv"
    existing.write_text("name,phone,email\nАсель Жумабаева,+7 701 111 22 33,asel@example.kz\n", encoding="utf-8")
    assert runner.invoke(args=["import", "person", str(existing), "--as", "admin@example.com"]).exit_code == 0
    again = tmp_path / "again.csv"
    again.write_text(
        "name,phone,email\nАсель Ж.,8 (701) 111-22-33,\nДанияр Ахметов,87779998877,daniyar@example.kz\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import", "person", str(again), "--as", "admin@example.com"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = sorted(db.session().execute(select(Person.name)).scalars())
        indexed = sorted(db.session().execute(select(Channel.value).where(Channel.kind == "phone")).scalars())
    assert names == ["Асель Жумабаева", "Данияр Ахметов"]
    assert indexed == ["+77011112233", "+77779998877"]


def test_a_bad_phone_in_an_import_names_the_row_and_field(app, runner, tmp_path):
    add_user(app, is_admin=True)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,phone\nОк,+77011112233\nПлохой,abc\n", encoding="utf-8")
    result = runner.invoke(args=["import", "person", str(bad), "--as", "admin@example.com"])
    assert result.exit_code != 0
    assert "3" in result.output and "phone" in result.output


def test_a_person_cannot_point_at_an_organisation_that_does_not_exist(app, admin_client):
    with app.app_context():
        token = create_token(db.session(), find_user(db.session(), "admin@example.com"), "tests")[1]
    response = app.test_client().post(
        "/api/v1/person", json={"name": "Асель", "organization_id": 999}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert "organization_id" in response.get_json()["error"]["fields"]


def test_an_agent_cannot_link_a_person_to_an_organisation_they_do_not_see(app, admin_client):
    organization_id = new_organization(admin_client)
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    response = post(agent, "/person/new", name="Асель", organization_id=str(organization_id))
    assert response.status_code == 422 and "No such record." in response.get_data(as_text=True)


def test_the_contacts_list_links_to_vcard_export_with_its_filters_and_to_vcard_import(admin_client):
    page = admin_client.get("/person/?is_client=true&sort=name").get_data(as_text=True)
    assert 'href="/contacts/vcard/export?is_client=true&amp;sort=name"' in page
    assert 'href="/contacts/vcard/import"' in page


def test_an_agent_without_the_export_permission_gets_no_vcard_export_link(app):
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    page = agent.get("/person/").get_data(as_text=True)
    assert "/contacts/vcard/export" not in page and "/contacts/vcard/import" not in page


def test_hook_entity_list_actions(make_app, admin_client_for):
    from flask import url_for

    from crmkit import Action, hookimpl
    from tests.test_hooks import plugin

    @hookimpl
    def entity_list_actions(entity, user, args):
        if entity.key == "organization":
            return [Action("Map of clients", url_for("records.organization_list", view_mode="map", **args))]
        return []

    app = make_app(plugins=[plugin("maps", entity_list_actions)], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    client = admin_client_for(app)
    page = client.get("/organization/?is_client=true&limit=5").get_data(as_text=True)
    link = page.split(">Map of clients</a>")[0].rsplit("<a", 1)[-1]
    assert "view_mode=map" in link and "is_client=true" in link and "limit" not in link  # filters kept, paging not
