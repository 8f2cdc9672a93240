"""People as vCards: one card or the filtered list out, a .vcf of any age in, all or nothing.

This module is also a plugin (its ``entity_event`` below refuses a person named "Refused"), to
show that a card refused while saving undoes the cards saved before it.
"""

from __future__ import annotations

import sys
from datetime import date
from io import BytesIO

import pytest
import vobject
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from crmkit import Invalid, db, hookimpl
from crmkit.core.auth.service import find_user
from crmkit.core.contacts import vcard
from crmkit.core.contacts.models import Organization, Person
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL, add_user, csrf_token, login, own_database

AGENT, MANAGER, PASSWORD = "agent@example.com", "manager@example.com", "a long agent passphrase"
IMPORT = "/contacts/vcard/import"


@hookimpl
def entity_event(event, entity, record, changes, user):
    if event == "before_create" and entity.key == "person" and record.name == "Refused":
        raise Invalid({"name": ["Refused by a plugin."]})


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[sys.modules[__name__]], DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    add_user(app, AGENT, PASSWORD, role="agent")
    add_user(app, MANAGER, PASSWORD, role="manager")
    return app


@pytest.fixture
def fresh_database_url(tmp_path):
    """A second, empty database, as conftest's ``database_url`` makes the first."""
    with own_database(tmp_path, "fresh") as url:
        yield url


def client_of(app, email=ADMIN_EMAIL, password=None):
    client = app.test_client()
    assert login(client, email, password or (PASSWORD if email != ADMIN_EMAIL else "correct horse battery")).status_code == 302
    return client


def make(app, entity_key, owner_email=ADMIN_EMAIL, **data):
    with app.test_request_context():
        user = find_user(db.session(), owner_email)
        return Records(app.extensions["crmkit"].entities.get(entity_key), user).create(data).id


def people(app) -> list[Person]:
    with app.app_context():
        return list(db.session().execute(select(Person).order_by(Person.id)).scalars())


def organizations(app) -> dict[int, str]:
    with app.app_context():
        return dict(db.session().execute(select(Organization.id, Organization.name)).all())


def upload(client, raw: bytes, **form):
    data = {"csrf_token": csrf_token(client, IMPORT), "file": (BytesIO(raw), "cards.vcf"), **form}
    return client.post(IMPORT, data=data, content_type="multipart/form-data")


def full_person(app, org_name="ТОО Ромашка", **overrides):
    org_id = make(app, "organization", name=org_name)
    fields = {
        "name": "Иванов Иван Иванович", "phone": "8 701 123 45 67", "other_phones": "+7 727 250 00 00", "email": "ivan@example.kz",
        "other_emails": "ivanov@mail.ru", "position": "Директор", "address": "г. Алматы, ул. Абая 1\nкв. 5",
        "description": "Любит звонки; по утрам", "website": "https://romashka.kz", "birthday": "1985-03-07", "tags": "vip, b2b",
        "organization_id": org_id,
    }
    return make(app, "person", **{**fields, **overrides})


CP1251_QP_CARD = (
    b"BEGIN:VCARD\r\nVERSION:2.1\r\n"
    b"N;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:=C8=E2=E0=ED=EE=E2;=C8=E2=E0=ED;=C8=E2=E0=ED=EE=E2=E8=F7;;\r\n"
    b"FN;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:=C8=E2=E0=ED =C8=E2=E0=ED=EE=E2=E8=F7 =C8=E2=E0=\r\n"
    b"=ED=EE=E2\r\n"
    b"ORG;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:=D2=CE=CE =D0=EE=EC=E0=F8=EA=E0\r\n"
    b"TEL;HOME:+7 727 250 00 00\r\nTEL;CELL;PREF:8 701 123 45 67\r\n"
    b"NOTE;CHARSET=windows-1251;ENCODING=QUOTED-PRINTABLE:=CF=EE=E7=E2=EE=ED=E8=F2=FC =EF=EE=F1=EB=E5 =\r\n"
    b"=EE=E1=E5=E4=E0\r\n"
    b"END:VCARD\r\n"
)


def card(name, *lines):
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + f"FN:{name}\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VCARD\r\n"


# names


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Иванов Иван Иванович", ("Иванов", "Иван", "Иванович")),
        ("Ким Анна", ("Ким", "Анна", "")),
        ("Айгуль", ("", "Айгуль", "")),
        ("Ахметов Ерлан Серік ұлы", ("Ахметов", "Ерлан", "Серік ұлы")),
    ],
)
def test_a_name_is_split_as_family_given_patronymic_and_joined_back(name, parts):
    assert vcard.split_name(name) == parts
    assert vcard.join_name(*parts) == name


# export


def test_a_persons_card_carries_every_field_as_vcard_3(app):
    person_id = full_person(app)
    response = client_of(app).get(f"/contacts/vcard/person/{person_id}.vcf")
    assert response.status_code == 200 and response.mimetype == "text/vcard"
    found = vobject.readOne(response.get_data(as_text=True))
    assert found.version.value == "3.0" and found.uid.value == f"crmkit-person-{person_id}"
    assert found.fn.value == "Иванов Иван Иванович"
    assert (found.n.value.family, found.n.value.given, found.n.value.additional) == ("Иванов", "Иван", "Иванович")
    assert found.org.value == ["ТОО Ромашка"] and found.title.value == "Директор"
    tels = [(t.value, t.params["TYPE"]) for t in found.contents["tel"]]
    assert tels == [("+77011234567", ["CELL", "PREF"]), ("+77272500000", ["VOICE"])]
    assert [e.value for e in found.contents["email"]] == ["ivan@example.kz", "ivanov@mail.ru"]
    assert found.adr.value.street == "г. Алматы, ул. Абая 1\nкв. 5"
    assert found.note.value == "Любит звонки; по утрам" and found.url.value == "https://romashka.kz"
    assert found.bday.value == "1985-03-07" and found.categories.value == ["vip", "b2b"]


def test_a_card_in_vcard_4_uses_tel_uris_and_pref(app):
    person_id = full_person(app)
    body = client_of(app).get(f"/contacts/vcard/person/{person_id}.vcf?version=4.0").get_data(as_text=True)
    assert "VERSION:4.0" in body and "VERSION:3.0" not in body
    found = vobject.readOne(body)
    main = found.contents["tel"][0]
    assert main.value == "tel:+77011234567" and main.params["VALUE"] == ["uri"] and main.params["PREF"] == ["1"]
    assert main.params["TYPE"] == ["cell"] and found.contents["tel"][1].params["TYPE"] == ["voice"]
    assert [(e.value, e.params) for e in found.contents["email"]] == [("ivan@example.kz", {"PREF": ["1"]}), ("ivanov@mail.ru", {})]
    assert found.bday.value == "19850307"


def test_the_people_list_exports_with_its_filters(app):
    make(app, "person", name="Client One", is_client=True)
    make(app, "person", name="Prospect", is_prospect=True)
    make(app, "person", name="Client Two", is_client=True)
    response = client_of(app).get("/contacts/vcard/export?is_client=1&after=abc&sort=-name")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="people.vcf"'
    assert [c.fn.value for c in vobject.readComponents(response.get_data(as_text=True))] == ["Client One", "Client Two"]


def test_the_export_reads_people_in_batches_and_gives_each_once(app, monkeypatch):
    monkeypatch.setattr(vcard, "BATCH", 2)
    for n in range(5):
        make(app, "person", name=f"Person {n}")
    response = client_of(app).get("/contacts/vcard/export")
    body = response.get_data(as_text=True)
    response.close()
    assert [c.fn.value for c in vobject.readComponents(body)] == [f"Person {n}" for n in range(5)]
    assert db.engine_of(app).pool.checkedout() == 0  # the stream gave its connection back


@pytest.mark.parametrize("query", ["colour=red", "organization_id=abc", "organization_id=99999999999999999999"])
def test_a_filter_the_list_cannot_use_is_refused_before_the_download_starts(app, query):
    response = client_of(app).get(f"/contacts/vcard/export?{query}")
    assert response.status_code == 302 and response.location.endswith("/person/")


def test_an_agent_downloads_cards_of_their_own_people_only_and_no_bulk_export(app):
    mine = make(app, "person", owner_email=AGENT, name="Mine")
    theirs = make(app, "person", name="Theirs")
    agent = client_of(app, AGENT)
    assert agent.get(f"/contacts/vcard/person/{mine}.vcf").status_code == 200
    assert agent.get(f"/contacts/vcard/person/{theirs}.vcf").status_code == 404
    assert agent.get("/contacts/vcard/export").status_code == 403
    assert agent.get(IMPORT).status_code == 403


def test_the_person_page_offers_the_card(app):
    person_id = make(app, "person", name="Ким Анна")
    page = client_of(app).get(f"/person/{person_id}").get_data(as_text=True)
    assert f'href="/contacts/vcard/person/{person_id}.vcf"' in page


# import


def test_exported_people_import_into_a_fresh_database_as_the_same_people(app, make_app, fresh_database_url):
    full_person(app)
    make(app, "person", name="Айгуль", phone="+77019998877", tags="friend")
    exported = client_of(app).get("/contacts/vcard/export").get_data()
    fresh = make_app(plugins=[sys.modules[__name__]], DEFAULT_LOCALE="en", DATABASE_URL=fresh_database_url)
    add_user(fresh, is_admin=True, name="Admin")
    response = upload(client_of(fresh), exported)
    assert response.status_code == 302, response.get_data(as_text=True)
    names = ("name", "phone", "other_phones", "email", "other_emails", "position", "address", "description",
             "website", "birthday", "tags")

    def described(app_):
        orgs = organizations(app_)
        return [({n: getattr(p, n) for n in names}, orgs.get(p.organization_id)) for p in people(app_)]

    assert described(fresh) == described(app)
    assert described(fresh)[0][0]["birthday"] == date(1985, 3, 7)


def test_importing_the_same_file_again_skips_every_card(app):
    full_person(app)
    client = client_of(app)
    exported = client.get("/contacts/vcard/export").get_data()
    assert upload(client, exported).status_code == 302
    assert len(people(app)) == 1
    assert "0 created, 0 updated, 1 skipped" in client.get("/person/").get_data(as_text=True)


def test_a_windows_1251_quoted_printable_card_from_an_old_phone_imports(app):
    response = upload(client_of(app), CP1251_QP_CARD)
    assert response.status_code == 302, response.get_data(as_text=True)
    [person] = people(app)
    assert person.name == "Иванов Иван Иванович"
    assert (person.phone, person.other_phones) == ("+77011234567", "+77272500000")  # the preferred one is main
    assert person.description == "Позвонить после обеда"
    assert organizations(app)[person.organization_id] == "ТОО Ромашка"


def test_a_raw_windows_1251_file_is_read_too(app):
    raw = card("Петров Пётр", "TEL:+77015554433").encode("cp1251")
    assert upload(client_of(app), raw).status_code == 302
    assert [p.name for p in people(app)] == ["Петров Пётр"]


def test_a_card_links_to_the_organisation_of_that_exact_name_or_creates_it(app):
    existing = make(app, "organization", name="ТОО Ромашка")
    raw = (card("Ким Анна", "ORG:ТОО Ромашка") + card("Ли Олег", "ORG:ТОО Ромашка;Бухгалтерия")
           + card("Ан Вера", "ORG:ТОО Лютик")).encode()
    assert upload(client_of(app), raw).status_code == 302
    orgs = organizations(app)
    assert [orgs[p.organization_id] for p in people(app)] == ["ТОО Ромашка", "ТОО Ромашка", "ТОО Лютик"]
    assert people(app)[0].organization_id == existing and len(orgs) == 2


def test_one_bad_card_saves_nothing_and_every_bad_card_is_named(app):
    raw = (card("Good One", "TEL:+77011234567", "ORG:New Org") + card("Bad Phone", "TEL:12ab")
           + "BEGIN:VCARD\r\nVERSION:3.0\r\nEMAIL:nobody@example.com\r\nEND:VCARD\r\n").encode()
    response = upload(client_of(app), raw)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<td>2</td><td>Bad Phone</td><td>Phone</td><td>Not a valid phone number.</td>" in page
    assert "<td>3</td><td>—</td><td>Full name</td>" in page
    assert "Good One" not in page
    assert people(app) == [] and organizations(app) == {}


def test_a_card_refused_while_saving_undoes_the_cards_saved_before_it(app):
    raw = (card("Saved First", "TEL:+77011234567", "ORG:New Org") + card("Refused", "TEL:+77011234568")).encode()
    response = upload(client_of(app), raw)
    assert response.status_code == 422
    assert "Refused by a plugin." in response.get_data(as_text=True)
    assert people(app) == [] and organizations(app) == {}
    with app.app_context():
        assert db.session().execute(text("SELECT count(*) FROM contacts_channel")).scalar() == 0


def test_a_person_known_by_phone_or_email_is_skipped(app):
    make(app, "person", name="Known", phone="+77011234567")
    make(app, "person", name="Known by mail", email="known@example.com")
    raw = (card("Same Phone", "TEL:8 (701) 123-45-67") + card("Same Mail", "EMAIL:KNOWN@example.com")
           + card("New", "TEL:+77010000001") + card("New Again", "TEL:+77010000001")).encode()
    client = client_of(app)
    assert upload(client, raw).status_code == 302
    assert [p.name for p in people(app)] == ["Known", "Known by mail", "New"]
    assert "1 created, 0 updated, 3 skipped" in client.get("/person/").get_data(as_text=True)


def test_with_update_a_known_person_gets_the_cards_fields_and_keeps_every_phone(app):
    make(app, "person", name="Known", phone="+77011234567", position="Old")
    raw = card("Known Better", "TEL:+77011234567", "TEL:8 702 111 22 33", "TITLE:New").encode()
    assert upload(client_of(app), raw, update="1").status_code == 302
    [person] = people(app)
    assert (person.name, person.position) == ("Known Better", "New")
    assert (person.phone, person.other_phones) == ("+77011234567", "+77021112233")


def test_updating_a_known_person_the_user_cannot_see_is_refused(app):
    make(app, "person", name="Admin's", phone="+77011234567")
    manager = client_of(app, MANAGER)
    raw = card("Theirs", "TEL:+77011234567").encode()
    response = upload(manager, raw, update="1")
    assert response.status_code == 422
    assert "A record with this value exists and you cannot change it." in response.get_data(as_text=True)
    assert upload(manager, raw).status_code == 302  # without update: skipped, not duplicated
    assert [p.name for p in people(app)] == ["Admin's"]


FRAGMENTS = ["N:a;b;c;;", "TEL;CELL:+77011234567", "TEL:tel:+7;ext=1", "ORG:;", "ADR:;;;", "BDAY:x", "BDAY:--0101",
             "N;ENCODING=QUOTED-PRINTABLE:=C8=", "NOTE;QUOTED-PRINTABLE:=ZZ", "VERSION:2.1", "BEGIN:VCARD", "END:VCARD",
             "PHOTO;ENCODING=BASE64:@@@", "N;CHARSET=bogus;ENCODING=QUOTED-PRINTABLE:=C8", 'TEL;TYPE="cell,pref":1']


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=30)), max_size=10))
def test_no_text_crashes_the_reader_a_card_is_read_or_reported(app, body):
    raw = ("BEGIN:VCARD\r\nVERSION:3.0\r\n" + "\r\n".join(body) + "\r\nEND:VCARD\r\n").encode("utf-8", "surrogatepass")
    with app.test_request_context():
        try:
            cards = vcard.parse(raw)
        except vcard.VCardError:
            return
    assert all(isinstance(c.data, dict) and (c.errors or "name" in c.data) for c in cards)


def test_a_file_without_cards_is_refused(app):
    response = upload(client_of(app), b"name,phone\nIvan,+77011234567\n")
    assert response.status_code == 400
    assert "No vCards found in this file." in response.get_data(as_text=True)


# the command line


def test_the_export_command_writes_the_people_a_user_sees(app, tmp_path):
    make(app, "person", name="Mine", owner_email=MANAGER)
    make(app, "person", name="Admin's")
    target = tmp_path / "people.vcf"
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-export", "-o", str(target), "--as", MANAGER])
    assert result.exit_code == 0, result.output
    assert [c.fn.value for c in vobject.readComponents(target.read_text(encoding="utf-8"))] == ["Mine"]


def test_the_export_command_refuses_a_user_without_export(app):
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-export", "--as", AGENT])
    assert result.exit_code == 1 and "may not export" in result.output


def test_the_import_command_imports_and_exits_zero(app, tmp_path):
    source = tmp_path / "phone.vcf"
    source.write_bytes(CP1251_QP_CARD)
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-import", str(source)])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 skipped" in result.output
    assert [p.name for p in people(app)] == ["Иванов Иван Иванович"]


def test_the_import_command_names_each_bad_card_and_field_and_exits_non_zero(app, tmp_path):
    source = tmp_path / "bad.vcf"
    source.write_text(card("Good", "TEL:+77011234567") + card("Bad Phone", "TEL:12ab"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-import", str(source)])
    assert result.exit_code == 1
    assert "card 2 (Bad Phone), Phone (phone): Not a valid phone number." in result.output
    assert people(app) == []


def test_the_import_command_refuses_a_file_without_cards(app, tmp_path):
    source = tmp_path / "people.csv"
    source.write_text("name\nIvan\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-import", str(source)])
    assert result.exit_code == 1 and "No vCards found in this file." in result.output


def test_the_import_command_with_update_changes_known_people(app, tmp_path):
    make(app, "person", name="Known", phone="+77011234567")
    source = tmp_path / "update.vcf"
    source.write_text(card("Known", "TEL:+77011234567", "TITLE:CEO"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["contacts", "vcard-import", str(source), "--update", "--as", ADMIN_EMAIL])
    assert result.exit_code == 0, result.output
    assert "0 created, 1 updated, 0 skipped" in result.output
    assert people(app)[0].position == "CEO"
