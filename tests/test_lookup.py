"""Caller lookup: a number typed any way finds the people and organisations holding it, as the
asking user sees them, through /api/v1/lookup and the /lookup page.

This module is also a plugin (its ``caller_lookup`` below), to test the hook the lookup offers.
"""

from __future__ import annotations

import os
import sys

import pytest
from flask_babel import gettext
from sqlalchemy import event, text

from crmkit import db, hookimpl
from crmkit.core.auth.service import find_user
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL, add_user, login, token_client

URL = "/api/v1/lookup"
AGENT, OTHER_AGENT, PASSWORD = "agent@example.com", "other@example.com", "a long agent passphrase"
ON_SQLITE = not os.environ.get("CRMKIT_TEST_DATABASE_URL")


@hookimpl
def caller_lookup(entity, record, user):
    """This test module, as a plugin: a badge for clients, nothing for the rest."""
    if entity.key == "person" and record.is_client:
        return {"badge": "client", "seen_by": user.email}
    return None


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[sys.modules[__name__]], DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    add_user(app, AGENT, PASSWORD, role="agent", name="Aigul Agent")
    add_user(app, OTHER_AGENT, PASSWORD, role="agent", name="Other Agent")
    return app


def make(app, entity_key, owner_email=AGENT, **data):
    """A record created through Records as its owner would create it; returns its id."""
    with app.test_request_context():
        user = find_user(db.session(), owner_email)
        return Records(app.extensions["crmkit"].entities.get(entity_key), user).create(data).id


def look_up(client, phone):
    response = client.get(URL, query_string={"phone": phone})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_number_typed_the_local_way_finds_the_person_stored_in_e164(app):
    person_id = make(app, "person", name="Иванов Иван", phone="+77011234567")
    body = look_up(token_client(app, AGENT), "8 (701) 123-45-67")
    assert body["phone"] == "+77011234567" and body["country"] == "KZ"
    [match] = body["matches"]
    assert (match["entity"], match["id"], match["name"]) == ("person", person_id, "Иванов Иван")
    assert match["url"] == f"http://localhost/person/{person_id}"
    assert match["phones"] == ["+7 701 123 45 67"]


def test_a_persons_other_phone_finds_them_too(app):
    make(app, "person", name="Петров Пётр", phone="+77011112233", other_phones="+7 702 555 66 77\n+7 705 000 11 22")
    [match] = look_up(token_client(app, AGENT), "87025556677")["matches"]
    assert match["name"] == "Петров Пётр"
    assert match["phones"] == ["+7 701 111 22 33", "+7 702 555 66 77", "+7 705 000 11 22"]


def test_an_organisations_number_finds_the_organisation(app):
    org_id = make(app, "organization", name="ТОО Ромашка", phone="+7 727 250 00 00")
    [match] = look_up(token_client(app, AGENT), "8 727 250-00-00")["matches"]
    assert (match["entity"], match["id"], match["name"]) == ("organization", org_id, "ТОО Ромашка")
    assert "organization" not in match and "position" not in match


def test_a_russian_number_is_told_from_a_kazakh_one(app):
    make(app, "person", name="Сидоров", phone="+74951234567")
    body = look_up(token_client(app, AGENT), "+7 (495) 123-45-67")
    assert body["country"] == "RU" and [m["name"] for m in body["matches"]] == ["Сидоров"]


def test_a_person_comes_with_their_organisation_position_and_owner(app):
    org_id = make(app, "organization", name="ТОО Ромашка")
    make(app, "person", name="Ким Анна", phone="+77011234567", organization_id=org_id, position="Бухгалтер")
    [match] = look_up(token_client(app, AGENT), "+77011234567")["matches"]
    assert match["organization"] == {"id": org_id, "name": "ТОО Ромашка", "url": f"http://localhost/organization/{org_id}"}
    assert match["position"] == "Бухгалтер"
    assert match["owner"]["name"] == "Aigul Agent"


def test_the_last_five_activities_about_the_record_come_newest_first(app):
    person_id = make(app, "person", name="Ким Анна", phone="+77011234567")
    for day in range(1, 8):
        make(app, "activity", kind="call", subject=f"Call {day}", about_entity="person", about_id=person_id,
             happened_at=f"2026-01-0{day}T09:30:00+00:00", direction="inbound", outcome="answered")
    someone_else = make(app, "person", name="Ли Марат")
    make(app, "activity", kind="note", subject="About someone else", about_entity="person", about_id=someone_else,
         happened_at="2026-02-01T09:30:00+00:00")
    [match] = look_up(token_client(app, AGENT), "+77011234567")["matches"]
    activities = match["activities"]
    assert [a["subject"] for a in activities] == ["Call 7", "Call 6", "Call 5", "Call 4", "Call 3"]
    first = activities[0]
    assert (first["kind"], first["direction"], first["outcome"]) == ("call", "inbound", "answered")
    assert first["happened_at"] == "2026-01-07T09:30:00+00:00"
    assert first["owner"]["name"] == "Aigul Agent"


def test_an_agent_finds_only_records_they_may_see(app):
    make(app, "person", owner_email=AGENT, name="Mine", phone="+77011234567")
    make(app, "person", owner_email=OTHER_AGENT, name="Theirs", phone="+77011234567")
    assert [m["name"] for m in look_up(token_client(app, AGENT), "+77011234567")["matches"]] == ["Mine"]
    assert [m["name"] for m in look_up(token_client(app, OTHER_AGENT), "+77011234567")["matches"]] == ["Theirs"]
    assert {m["name"] for m in look_up(token_client(app, ADMIN_EMAIL), "+77011234567")["matches"]} == {"Mine", "Theirs"}


def test_an_agent_sees_no_organisation_of_a_person_when_they_cannot_see_it(app):
    org_id = make(app, "organization", owner_email=OTHER_AGENT, name="Hidden LLP")
    person_id = make(app, "person", owner_email=ADMIN_EMAIL, name="Mine", phone="+77011234567", organization_id=org_id)
    with app.test_request_context():
        session = db.session()
        records = Records(app.extensions["crmkit"].entities.get("person"), find_user(session, ADMIN_EMAIL))
        records.assign_owner(records.get(person_id), find_user(session, AGENT).id)
    [match] = look_up(token_client(app, AGENT), "+77011234567")["matches"]
    assert match["organization"] is None


def test_a_number_nobody_has_gives_no_matches(app):
    body = look_up(token_client(app, AGENT), "+77019998877")
    assert body["matches"] == [] and body["phone"] == "+77019998877"


def test_an_archived_record_is_not_found(app):
    person_id = make(app, "person", name="Gone", phone="+77011234567")
    with app.test_request_context():
        records = Records(app.extensions["crmkit"].entities.get("person"), find_user(db.session(), ADMIN_EMAIL))
        records.archive(records.get(person_id))
    assert look_up(token_client(app, ADMIN_EMAIL), "+77011234567")["matches"] == []


def test_without_a_token_or_a_session_the_api_answers_401(app):
    response = app.test_client().get(URL, query_string={"phone": "+77011234567"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == 401


def test_a_logged_in_session_may_call_the_api(app):
    make(app, "person", name="Mine", phone="+77011234567")
    client = app.test_client()
    login(client, AGENT, PASSWORD)
    assert [m["name"] for m in look_up(client, "87011234567")["matches"]] == ["Mine"]


def test_a_bad_phone_is_refused_with_a_message_for_the_field_in_the_users_language(app):
    response = token_client(app, AGENT).get(URL, query_string={"phone": "12ab"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 422
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        expected = gettext("Not a valid phone number.")
    assert response.get_json()["error"]["fields"] == {"phone": [expected]}


def test_a_missing_phone_is_a_bad_request_naming_the_field(app):
    response = token_client(app, AGENT).get(URL)
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["phone"]


def test_hook_caller_lookup(app):
    make(app, "person", name="Client", phone="+77011234567", is_client=True)
    make(app, "organization", name="Not a person", phone="+77011234567")
    matches = look_up(token_client(app, AGENT), "+77011234567")["matches"]
    extras = {m["name"]: m["extras"] for m in matches}
    assert extras == {"Client": {"test_lookup": {"badge": "client", "seen_by": AGENT}}, "Not a person": {}}


@pytest.mark.skipif(not ON_SQLITE, reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_lookup_reads_the_channel_index_and_scans_no_table(app):
    make(app, "person", name="Ким Анна", phone="+77011234567")
    for n in range(30):
        make(app, "person", name=f"Someone {n}", phone=f"+7701000{n:04d}")
    client, engine = token_client(app, AGENT), db.engine_of(app)
    statements = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        assert len(look_up(client, "+77011234567")["matches"]) == 1
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    plans = {}
    with engine.connect() as connection:
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            plans[statement] = [row[-1] for row in rows]
    [channel_plan] = [plan for statement, plan in plans.items() if "contacts_channel" in statement]
    assert any("ix_contacts_channel_value" in step for step in channel_plan), channel_plan
    scans = [(s, step) for s, plan in plans.items() for step in plan if step.startswith("SCAN ")]
    assert scans == []


def test_the_page_shows_who_is_calling(app):
    org_id = make(app, "organization", name="ТОО Ромашка")
    person_id = make(app, "person", name="Ким Анна", phone="+77011234567", organization_id=org_id, position="Бухгалтер")
    client = app.test_client()
    login(client, AGENT, PASSWORD)
    page = client.get("/lookup", query_string={"phone": "8 701 123 45 67"}).get_data(as_text=True)
    assert f'href="/person/{person_id}">Ким Анна</a>' in page
    assert f'href="/organization/{org_id}">ТОО Ромашка</a>' in page
    assert "Бухгалтер" in page and "+7 701 123 45 67" in page


def test_the_page_offers_a_new_person_for_an_unknown_number(app):
    client = app.test_client()
    login(client, AGENT, PASSWORD)
    page = client.get("/lookup", query_string={"phone": "8 701 123 45 67"}).get_data(as_text=True)
    assert 'href="/person/new?phone=%2B77011234567"' in page


def test_the_page_says_what_is_wrong_with_a_bad_number(app):
    client = app.test_client()
    login(client, AGENT, PASSWORD)
    response = client.get("/lookup", query_string={"phone": "not a number"})
    assert response.status_code == 422
    assert "Not a valid phone number." in response.get_data(as_text=True)


def test_the_page_needs_a_login(app):
    response = app.test_client().get("/lookup", query_string={"phone": "+77011234567"})
    assert response.status_code == 302 and "/login" in response.location


def test_the_indexes_the_lookup_reads_exist_on_every_database(app):
    """The migrations build the indexes the plans above rely on, on PostgreSQL too."""
    with app.app_context():
        engine = db.engine_of(app)
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                names = {row[0] for row in connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))}
            else:
                names = {row[0] for row in connection.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))}
    assert {"ix_contacts_channel_value", "ix_activity_about"} <= names
