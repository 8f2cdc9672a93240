"""Every field that points at a record accepts only a record its user may see, on every path.

Own link fields (``organization_id``), the activity's ``about_entity``/``about_id`` pair, admins'
custom link fields and plugins' extension fields (a link and a pair) follow one rule, on the API,
forms, import and jobs alike. A record the user can't see answers as one that doesn't exist.

Sales and Support are departments; "north" is an agent in Sales, "south" an agent in Support (an
agent sees only the records they own), "lead" the manager of Sales, who sees Sales' records and
may import. Each of them owns a person and an organisation.
"""

from __future__ import annotations

import re

import pytest
from marshmallow import Schema, fields
from sqlalchemy import event, func, select

from crmkit import EntityExtension, Job, db, hookimpl, jobs
from crmkit.core.access.models import Department
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Person
from crmkit.entities.errors import Invalid
from crmkit.entities.service import Records
from tests.conftest import add_user, csrf_token, login, token_client
from tests.hooking import plugin

PASSWORD = "link rules password 7"
NO_SUCH = "No such record."
WHO = ("admin", "north", "south", "lead")
ROLES = {"admin": "admin", "north": "agent", "south": "agent", "lead": "manager"}


class Referral(Schema):
    """A plugin's fields on a person: links to organisations (one, several), and a pair that may point anywhere."""

    partner_id = fields.Integer(allow_none=True, metadata={"label": "Partner", "link": "organization"})
    partner_ids = fields.List(fields.Integer(), allow_none=True, metadata={"label": "Partners", "link": "organization"})
    source_entity = fields.String(allow_none=True, metadata={"label": "Source kind"})
    source_id = fields.Integer(allow_none=True, metadata={"label": "Source", "link_entity_field": "source_entity"})


@hookimpl
def entity_extensions():
    return [EntityExtension("person", Referral)]


def log_call_about(person_id, user):
    """A job that writes through Records, as every job does, acting for its user."""
    from flask import current_app

    activity = current_app.extensions["crmkit"].entities.get("activity")
    data = {"kind": "note", "body": "From a job", "about_entity": "person", "about_id": person_id}
    return Records(activity, user).create(data).id


@hookimpl
def register_jobs():
    return [Job(log_call_about, name="log")]


REFERRALS = plugin("referrals", entity_extensions, register_jobs)


def user_named(session, who):
    return session.execute(select(User).where(User.email == f"{who}@example.com")).scalar_one()


@pytest.fixture
def office(make_app):
    """The app, and each user's person and organisation ids: ``ids["south"]["person"]``."""
    app = make_app(plugins=[REFERRALS], DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True)
    with app.app_context():
        session = db.session()
        sales, support = Department(name="Sales"), Department(name="Support")
        session.add_all([sales, support])
        session.commit()
        departments = {"admin": None, "north": sales.id, "south": support.id, "lead": sales.id}
    for who in WHO:
        add_user(app, f"{who}@example.com", PASSWORD, role=ROLES[who], department_id=departments[who])
    ids = {}
    with app.test_request_context():
        session = db.session()
        entities = app.extensions["crmkit"].entities
        for who in WHO:
            user = user_named(session, who)
            organization = Records(entities.get("organization"), user, session).create({"name": f"Org of {who}"}).id
            person = Records(entities.get("person"), user, session).create({"name": f"Person of {who}"}).id
            ids[who] = {"organization": organization, "person": person}
    return app, ids


def client_of(app, who):
    client = app.test_client()
    assert login(client, f"{who}@example.com", PASSWORD).status_code == 302
    return client


def api_of(app, who):
    """A test client whose requests carry ``who``'s API token."""
    return token_client(app, f"{who}@example.com")


def activities(app) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Activity)).scalar_one()


def note_about(entity, record_id):
    return {"kind": "note", "body": "Called them", "about_entity": entity, "about_id": record_id}


# the activity's about pair


def test_an_agent_cannot_write_an_activity_onto_the_timeline_of_a_person_of_another_department(office):
    app, ids = office
    response = api_of(app, "north").post("/api/v1/activity", json=note_about("person", ids["south"]["person"]))
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"about_id": [NO_SUCH]}
    assert activities(app) == 0


def test_an_activity_about_a_record_that_does_not_exist_gets_the_same_answer_as_one_not_visible(office):
    app, ids = office
    api = api_of(app, "north")
    hidden = api.post("/api/v1/activity", json=note_about("person", ids["south"]["person"])).get_json()
    missing = api.post("/api/v1/activity", json=note_about("person", 987654)).get_json()
    assert missing == hidden
    assert activities(app) == 0


@pytest.mark.parametrize("record_id", [0, -1])
def test_an_id_no_record_can_have_is_refused_as_no_such_record(office, record_id):
    app, _ids = office
    response = api_of(app, "north").post("/api/v1/activity", json=note_about("person", record_id))
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"about_id": [NO_SUCH]}


def test_an_agent_may_write_an_activity_about_their_own_person(office):
    app, ids = office
    response = api_of(app, "north").post("/api/v1/activity", json=note_about("person", ids["north"]["person"]))
    assert response.status_code == 201, response.get_json()


def test_the_activity_form_refuses_a_person_the_agent_cannot_see(office):
    app, ids = office
    client = client_of(app, "north")
    data = {"csrf_token": csrf_token(client, "/activity/new"), "happened_at": "2026-01-05T10:00", "subject": "",
            **note_about("person", str(ids["south"]["person"]))}
    response = client.post("/activity/new", data=data)
    assert response.status_code == 422 and NO_SUCH in response.get_data(as_text=True)
    assert activities(app) == 0


def test_an_unknown_kind_of_record_and_half_a_pair_are_refused(office):
    app, ids = office
    api = api_of(app, "north")
    unknown = api.post("/api/v1/activity", json=note_about("spaceship", ids["north"]["person"])).get_json()
    assert unknown["error"]["fields"] == {"about_entity": ["Not a known kind of record."]}
    half = api.post("/api/v1/activity", json={"kind": "note", "about_entity": "person"}).get_json()
    assert half["error"]["fields"] == {"about_id": ["Give both the kind of record and its number."]}


def test_a_job_acting_for_an_agent_cannot_write_about_a_record_the_agent_cannot_see(office):
    app, ids = office
    with app.app_context():
        north = user_named(db.session(), "north")
        task = jobs.jobs_of().tasks["referrals.log"]
        with pytest.raises(Invalid) as refused:
            task.call_local(north.id, (ids["south"]["person"],), {})
        assert refused.value.fields == {"about_id": [NO_SUCH]}
        assert task.call_local(north.id, (ids["north"]["person"],), {}) > 0


# custom and plugins' link fields


def add_custom_link(app):
    """The admin adds a "Referrer" field to people, pointing at an organisation."""
    admin = client_of(app, "admin")
    data = {"csrf_token": csrf_token(admin, "/admin/fields/"), "entity": "person", "name": "referrer",
            "label": "Referrer", "type": "link", "link": "organization"}
    assert admin.post("/admin/fields/", data=data).status_code == 302


def test_a_custom_link_field_refuses_an_organisation_the_agent_cannot_see(office):
    app, ids = office
    add_custom_link(app)
    api = api_of(app, "north")
    response = api.post("/api/v1/person", json={"name": "Асель", "custom": {"referrer": ids["south"]["organization"]}})
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"] == {"custom.referrer": [NO_SUCH]}
    mine = api.post("/api/v1/person", json={"name": "Асель", "custom": {"referrer": ids["north"]["organization"]}})
    assert mine.status_code == 201


def test_a_custom_link_field_on_the_form_refuses_a_record_the_agent_cannot_see(office):
    app, ids = office
    add_custom_link(app)
    client = client_of(app, "north")
    data = {"csrf_token": csrf_token(client, "/person/new"), "name": "Асель", "custom.referrer": str(ids["south"]["organization"])}
    response = client.post("/person/new", data=data)
    assert response.status_code == 422 and NO_SUCH in response.get_data(as_text=True)


@pytest.mark.parametrize("fields_sent, problem", [
    ({"partner_id": "theirs"}, {"partner_id": [NO_SUCH]}),
    ({"partner_ids": ["mine", "theirs"]}, {"partner_ids": [NO_SUCH]}),
    ({"source_entity": "person", "source_id": "theirs"}, {"source_id": [NO_SUCH]}),
    ({"source_entity": "person", "source_id": 987654}, {"source_id": [NO_SUCH]}),
])
def test_a_plugins_extension_fields_point_only_at_records_the_user_sees(office, fields_sent, problem):
    app, ids = office
    named = {"mine": ids["north"]["organization"], "theirs": ids["south"]["organization"]}
    theirs = {"partner_id": named["theirs"], "partner_ids": [named[n] for n in fields_sent.get("partner_ids", [])],
              "source_id": ids["south"]["person"]}
    sent = {name: theirs[name] if value in ("theirs", ["mine", "theirs"]) else value for name, value in fields_sent.items()}
    response = api_of(app, "north").post("/api/v1/person", json={"name": "Асель", "referrals": sent})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {f"referrals.{name}": found for name, found in problem.items()}


def test_all_links_to_one_entity_are_checked_in_one_query(office):
    """An own link, a custom link and a plugin's link, all to organisations: one SELECT of them."""
    app, ids = office
    add_custom_link(app)
    mine = ids["north"]["organization"]
    body = {"name": "Асель", "organization_id": mine, "custom": {"referrer": mine},
            "referrals": {"partner_id": mine, "partner_ids": [mine]}}
    with counted_selects(app, "contacts_organization") as selects:
        assert api_of(app, "north").post("/api/v1/person", json=body).status_code == 201
    assert len(selects) == 1, selects


class counted_selects:
    """The SELECTs reading ``table`` while the block runs (a listener on the app's engine)."""

    def __init__(self, app, table):
        self.engine, self.pattern, self.found = db.engine_of(app), re.compile(rf"\bFROM {table}\b"), []

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self.seen)
        return self.found

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self.seen)

    def seen(self, _conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("SELECT") and self.pattern.search(statement):
            self.found.append(statement)


# editing a record whose link points at something no longer visible


def handed_over(app, ids):
    """North's person, which the admin linked to South's organisation: north can't see that one."""
    with app.app_context():
        person = db.session().get(Person, ids["north"]["person"])
        person.organization_id = ids["south"]["organization"]
        db.session().commit()
        return person.id, person.version


def test_a_record_keeps_a_link_it_already_has_when_other_fields_change(office):
    app, ids = office
    person_id, version = handed_over(app, ids)
    api = api_of(app, "north")
    response = api.patch(f"/api/v1/person/{person_id}", json={"name": "Renamed", "organization_id": ids["south"]["organization"]},
                         headers={"If-Match": f'"{version}"'})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["organization_id"] == ids["south"]["organization"]


def test_the_edit_form_saves_a_record_whose_link_the_editor_cannot_see(office):
    app, ids = office
    person_id, version = handed_over(app, ids)
    client = client_of(app, "north")
    url = f"/person/{person_id}/edit"
    data = {"csrf_token": csrf_token(client, url), "version": str(version), "name": "Renamed",
            "organization_id": str(ids["south"]["organization"])}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        person = db.session().get(Person, person_id)
        assert (person.name, person.organization_id) == ("Renamed", ids["south"]["organization"])


def test_changing_a_link_to_another_record_the_editor_cannot_see_is_refused(office):
    app, ids = office
    person_id, version = handed_over(app, ids)
    response = api_of(app, "north").patch(f"/api/v1/person/{person_id}", json={"organization_id": ids["admin"]["organization"]},
                                          headers={"If-Match": f'"{version}"'})
    assert response.status_code == 422 and response.get_json()["error"]["fields"] == {"organization_id": [NO_SUCH]}


# import


def run_import(app, who, tmp_path, text, entity="person", *options):
    path = tmp_path / "rows.csv"
    path.write_text(text, encoding="utf-8")
    return app.test_cli_runner().invoke(args=["import", entity, str(path), "--as", f"{who}@example.com", *options])


def test_an_import_refuses_rows_linking_to_records_the_importer_cannot_see(office, tmp_path):
    app, ids = office
    north, south = ids["north"]["organization"], ids["south"]["organization"]
    text = f"name,organization_id\nSeen,{north}\nHidden,{south}\nMissing,987654\n"
    result = run_import(app, "lead", tmp_path, text)
    assert f"row 3, Organisation (organization_id): {NO_SUCH}" in result.output
    assert f"row 4, Organisation (organization_id): {NO_SUCH}" in result.output
    with app.app_context():
        names = set(db.session().execute(select(Person.name)).scalars())
    assert "Seen" in names and not {"Hidden", "Missing"} & names


def test_an_import_of_activities_checks_the_about_pair(office, tmp_path):
    app, ids = office
    text = f"kind,subject,about_entity,about_id\nnote,Mine,person,{ids['north']['person']}\nnote,Theirs,person,{ids['south']['person']}\n"
    result = run_import(app, "lead", tmp_path, text, "activity")
    assert f"row 3, Record (about_id): {NO_SUCH}" in result.output
    with app.app_context():
        assert list(db.session().execute(select(Activity.subject)).scalars()) == ["Mine"]


def test_an_import_checks_a_chunks_links_in_one_query_per_entity(office, tmp_path):
    app, ids = office
    rows = "".join(f"Person {n},{ids['north']['organization']}\n" for n in range(50))
    with counted_selects(app, "contacts_organization") as selects:
        result = run_import(app, "lead", tmp_path, "name,organization_id\n" + rows)
    assert result.exit_code == 0, result.output
    assert len(selects) == 1, selects


def test_an_import_updating_a_record_may_keep_the_link_it_has(office, tmp_path):
    app, ids = office
    person_id, _version = handed_over(app, ids)
    with app.app_context():
        person = db.session().get(Person, person_id)
        person.email = "kept@example.com"
        db.session().commit()
    south = ids["south"]["organization"]
    text = f"name,email,organization_id\nUpdated,kept@example.com,{south}\n"
    result = run_import(app, "lead", tmp_path, text, "person", "--dedup", "update")
    assert result.exit_code == 0 and NO_SUCH not in result.output, result.output
    with app.app_context():
        assert db.session().get(Person, person_id).name == "Updated"
