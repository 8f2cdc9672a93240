"""Duplicates of people and organisations: the warning on the form and the duplicates page."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crmkit import db, hookimpl
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Person
from crmkit.core.duplicates import groups
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL, csrf_token
from tests.people import client_as, person
from tests.plugins.projects import hooks as projects

INLINE = Path(__file__).parent / "plugins" / "inline"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def create(app, key, as_user=ADMIN_EMAIL, **values):
    """A record made through the service as the given user; returns its id."""
    with app.test_request_context():
        session = db.session()
        user = session.execute(select(User).where(User.email == as_user)).scalar_one()
        return Records(app.extensions["crmkit"].entities.get(key), user, session).create(values).id


def count(app, model):
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model)).scalar_one()


def submit(client, key, confirm=False, **values):
    data = {"csrf_token": csrf_token(client, f"/{key}/new"), **values}
    if confirm:
        data["confirm_warnings"] = "1"
    return client.post(f"/{key}/new", data=data)


def label(app, key) -> str:
    """The entity's label as an English page shows it."""
    with app.test_request_context():
        return str(app.extensions["crmkit"].entities.get(key).label)


def alert(response) -> str:
    found = re.search(r'<section class="[^"]*record-warnings[^"]*" role="alert">(.*?)</section>', response.get_data(as_text=True), re.DOTALL)
    return found.group(1) if found else ""


# the warning on the form


def test_a_phone_typed_differently_names_the_person_who_has_it(app, admin_client):
    ivanov = create(app, "person", name="Иванов Иван", phone="+77011234567")
    response = submit(admin_client, "person", name="Петров Пётр", phone="8 701 123 45 67")
    assert response.status_code == 200
    assert f'<a href="/person/{ivanov}">Иванов Иван</a>' in alert(response)
    assert "same phone +7 701 123 45 67" in alert(response)
    assert count(app, Person) == 1


def test_an_email_in_another_case_warns(app, admin_client):
    create(app, "person", name="Анна Смирнова", email="anna@example.kz")
    response = submit(admin_client, "person", name="A. Smirnova", email="Anna@Example.KZ")
    assert "Анна Смирнова" in alert(response) and "same email anna@example.kz" in alert(response)


def test_a_close_name_in_the_same_organisation_warns(app, admin_client):
    org = create(app, "organization", name="Ромашка")
    create(app, "person", name="Ёлкин Сергей Петрович", organization_id=org)
    response = submit(admin_client, "person", name="елкин  сергей петрович", organization_id=str(org))
    assert "Ёлкин Сергей Петрович" in alert(response)
    assert "similar name in the same organisation" in alert(response)


def test_the_same_name_words_in_another_order_warn(app, admin_client):
    org = create(app, "organization", name="Ромашка")
    create(app, "person", name="Сергей Ёлкин", organization_id=org)
    assert "Сергей Ёлкин" in alert(submit(admin_client, "person", name="Елкин Сергей", organization_id=str(org)))


def test_the_same_name_in_another_organisation_does_not_warn(app, admin_client):
    first, second = create(app, "organization", name="Ромашка"), create(app, "organization", name="Василёк")
    create(app, "person", name="Ёлкин Сергей", organization_id=first)
    assert submit(admin_client, "person", name="Ёлкин Сергей", organization_id=str(second)).status_code == 302


def test_the_same_iin_warns(app, admin_client):
    create(app, "person", name="Айгуль Сеитова", iin="900101400013")
    assert "same IIN 900101400013" in alert(submit(admin_client, "person", name="Aigul Seitova", iin="900101400013"))


def test_an_organisation_with_the_same_name_folded_warns(app, admin_client):
    create(app, "organization", name='ТОО "Ромашка"')
    response = submit(admin_client, "organization", name="тоо ромашка")
    assert '<a href="/organization/1">ТОО &#34;Ромашка&#34;</a> — same name' in alert(response)


def test_a_person_sharing_the_phone_of_an_organisation_names_it(app, admin_client):
    create(app, "organization", name="Ромашка", phone="+77272500000")
    text = alert(submit(admin_client, "person", name="Секретарь", phone="+7 727 250 00 00"))
    assert f"Ромашка ({label(app, 'organization')})" in text


def test_an_organisation_sharing_the_phone_of_a_person_names_the_person_as_such(app, admin_client):
    create(app, "person", name="Директор", phone="+77272500000")
    text = alert(submit(admin_client, "organization", name="Ромашка", phone="+7 727 250 00 00"))
    assert f"Директор ({label(app, 'person')})" in text


def test_an_unrelated_record_is_saved_without_a_warning(app, admin_client):
    create(app, "person", name="Иванов Иван", phone="+77011234567", email="ivan@example.kz")
    response = submit(admin_client, "person", name="Петров Пётр", phone="+77017654321", email="petr@example.kz")
    assert response.status_code == 302 and count(app, Person) == 2


def test_an_archived_record_does_not_count(app, admin_client):
    ivanov = create(app, "person", name="Иванов Иван", phone="+77011234567")
    with app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        records = Records(app.extensions["crmkit"].entities.get("person"), admin, session)
        records.archive(records.get(ivanov))
    assert submit(admin_client, "person", name="Петров Пётр", phone="+77011234567").status_code == 302


def test_the_warning_offers_to_save_anyway(app, admin_client):
    create(app, "person", name="Иванов Иван", phone="+77011234567")
    page = submit(admin_client, "person", name="Иван Иванов", phone="87011234567").get_data(as_text=True)
    assert '<input type="hidden" name="confirm_warnings" value="1">' in page
    assert "Save anyway" in page
    assert 'value="Иван Иванов"' in page  # what was typed is still in the form


def test_save_anyway_creates_the_record(app, admin_client):
    create(app, "person", name="Иванов Иван", phone="+77011234567")
    response = submit(admin_client, "person", confirm=True, name="Иван Иванов", phone="87011234567")
    assert response.status_code == 302 and count(app, Person) == 2


def test_invalid_input_is_reported_before_any_warning(app, admin_client):
    create(app, "person", name="Иванов Иван", phone="+77011234567")
    response = submit(admin_client, "person", name="", phone="87011234567")
    assert response.status_code == 422 and not alert(response)


def test_an_edit_that_keeps_the_phone_does_not_warn_again(app, admin_client):
    create(app, "person", name="Иванов Иван", phone="+77011234567")
    twin = create(app, "person", name="Иван Иванов", phone="+77011234567")
    token = csrf_token(admin_client, f"/person/{twin}/edit")
    data = {"csrf_token": token, "name": "Иван Иванов", "phone": "+77011234567", "position": "CEO", "version": "1"}
    assert admin_client.post(f"/person/{twin}/edit", data=data).status_code == 302


def test_an_edit_that_adds_a_taken_email_warns(app, admin_client):
    create(app, "person", name="Иванов Иван", email="ivan@example.kz")
    other = create(app, "person", name="Пётр Петров")
    token = csrf_token(admin_client, f"/person/{other}/edit")
    data = {"csrf_token": token, "name": "Пётр Петров", "other_emails": "IVAN@example.kz", "version": "1"}
    response = admin_client.post(f"/person/{other}/edit", data=data)
    assert response.status_code == 200 and "Иванов Иван" in alert(response)


def test_a_match_the_user_cant_see_is_not_named(app, admin_client):
    create(app, "person", name="Клиент Коллеги", phone="+77011234567")
    person(app, "agent@example.com")
    agent = client_as(app, "agent@example.com")
    text = alert(submit(agent, "person", name="Новый клиент", phone="+7 701 123 45 67"))
    assert "1 record you can&#39;t open matches: same phone +7 701 123 45 67." in text
    assert "Клиент Коллеги" not in text and "/person/" not in text


def test_hook_record_warnings(make_app, admin_client_for):
    seen = []

    def warn(entity, values, record, user):
        seen.append((entity.key, values["name"], record, user.email))
        if values["name"].startswith("Flat"):
            return [{"message": "A flat with this name is on sale already.", "title": "Flat 7", "href": "/flats/7"}]
        return []

    module = types.ModuleType("flats")
    module.__file__ = str(INLINE / "hooks.py")
    module.record_warnings = hookimpl(warn)
    client = admin_client_for(make_app(plugins=[projects, module]))
    data = {"name": "Flat on Abay", "status": "planned"}
    response = submit(client, "projects/project", **data)
    assert response.status_code == 200
    assert '<a href="/flats/7">Flat 7</a> — A flat with this name is on sale already.' in alert(response)
    assert seen == [("projects.project", "Flat on Abay", None, ADMIN_EMAIL)]
    assert submit(client, "projects/project", confirm=True, **data).status_code == 302
    assert submit(client, "projects/project", name="House", status="planned").status_code == 302


# the duplicates page


def group_rows(page: str) -> list[str]:
    return re.findall(r'<tr class="duplicate-group">(.*?)</tr>', page, re.DOTALL)


def test_the_page_groups_people_sharing_a_phone(app, admin_client):
    first = create(app, "person", name="Иванов Иван", phone="+77011234567")
    second = create(app, "person", name="Иван Иванов", other_phones="+77011234567")
    create(app, "person", name="Пётр Петров", phone="+77017654321")
    page = admin_client.get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    rows = group_rows(page)
    assert len(rows) == 1
    assert "+7 701 123 45 67" in rows[0] and "Иванов Иван" in rows[0] and "Иван Иванов" in rows[0]
    assert f'href="/duplicates/merge?entity=person&amp;keep={first}&amp;merge={second}"' in rows[0]


def test_the_page_groups_by_email_and_by_iin(app, admin_client):
    create(app, "person", name="A", email="a@example.kz", iin="900101400013")
    create(app, "person", name="B", email="A@example.kz", iin="900101400013")
    by_email = group_rows(admin_client.get("/duplicates/?entity=person&kind=email").get_data(as_text=True))
    by_iin = group_rows(admin_client.get("/duplicates/?entity=person&kind=id").get_data(as_text=True))
    assert len(by_email) == 1 and "a@example.kz" in by_email[0]
    assert len(by_iin) == 1 and "900101400013" in by_iin[0]


def test_the_page_groups_organisations_apart_from_people(app, admin_client):
    create(app, "organization", name="Ромашка", bin="180340021791")
    create(app, "organization", name="Romashka LLP", bin="180340021791")
    create(app, "person", name="A", phone="+77011234567")
    page = admin_client.get("/duplicates/?entity=organization&kind=id").get_data(as_text=True)
    assert len(group_rows(page)) == 1 and "Romashka LLP" in page
    assert group_rows(admin_client.get("/duplicates/?entity=organization&kind=phone").get_data(as_text=True)) == []


def test_the_page_is_paged_by_the_shared_value(app, admin_client, monkeypatch):
    for n in range(3):
        for name in ("A", "B"):
            create(app, "person", name=f"{name}{n}", email=f"shared{n}@example.kz")
    monkeypatch.setattr(groups, "PAGE_SIZE", 2)
    first = admin_client.get("/duplicates/?entity=person&kind=email").get_data(as_text=True)
    assert len(group_rows(first)) == 2 and "shared2@example.kz" not in first
    found = re.search(r'rel="next" href="([^"]+)"', first)
    second = admin_client.get(found.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert len(group_rows(second)) == 1 and "shared2@example.kz" in second
    assert 'rel="next"' not in second


def test_the_page_shows_only_records_the_user_sees(app, admin_client):
    person(app, "agent@example.com")
    create(app, "person", as_user="agent@example.com", name="Мой клиент", phone="+77011234567")
    create(app, "person", name="Чужой клиент", phone="+77011234567")
    page = client_as(app, "agent@example.com").get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    assert group_rows(page) == [] and "Чужой клиент" not in page


def test_archived_records_are_not_grouped(app, admin_client):
    create(app, "person", name="A", phone="+77011234567")
    gone = create(app, "person", name="B", phone="+77011234567")
    with app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        records = Records(app.extensions["crmkit"].entities.get("person"), admin, session)
        records.archive(records.get(gone))
    assert group_rows(admin_client.get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)) == []


def test_an_agent_sees_their_own_duplicates_with_merge_links(app, admin_client):
    person(app, "agent@example.com")
    for name in ("A", "B"):
        create(app, "person", as_user="agent@example.com", name=name, phone="+77011234567")
    agent = client_as(app, "agent@example.com")
    assert 'href="/duplicates/"' in agent.get("/").get_data(as_text=True)
    page = agent.get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    assert len(group_rows(page)) == 1 and "/duplicates/merge" in page


def test_without_the_merge_permission_the_page_has_no_merge_links(app, admin_client):
    with app.app_context():
        from crmkit.core.access.models import Role

        db.session().add(Role(name="editor", label="Editor", permissions=["*.view", "*.create", "*.edit"], visibility={"*": "own"}))
        db.session().commit()
    person(app, "editor@example.com", role="editor")
    for name in ("A", "B"):
        create(app, "person", as_user="editor@example.com", name=name, phone="+77011234567")
    page = client_as(app, "editor@example.com").get("/duplicates/?entity=person&kind=phone").get_data(as_text=True)
    assert len(group_rows(page)) == 1 and "/duplicates/merge" not in page


def test_the_page_needs_edit_or_merge_permission(app, admin_client):
    with app.app_context():
        from crmkit.core.access.models import Role

        db.session().add(Role(name="reader", label="Reader", permissions=["*.view"], visibility={"*": "all"}))
        db.session().commit()
    person(app, "reader@example.com", role="reader")
    reader = client_as(app, "reader@example.com")
    assert reader.get("/duplicates/").status_code == 403
    assert 'href="/duplicates/"' not in reader.get("/").get_data(as_text=True)
