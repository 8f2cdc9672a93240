"""An import names linked records by their title and choices by their label in any language, as
forms do: a people file whose organisation column holds names and whose source column holds
Russian labels. A name two visible organisations share, or one the importer doesn't see, is
reported by row and field; the other rows are saved."""

import io
import re

import pytest
from sqlalchemy import event, select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.transfer.importer import Importer
from tests.conftest import csrf_token
from tests.people import PASSWORD, client_as, matrix_staff

HEADER = "ФИО;Организация;Источник\n"


@pytest.fixture
def app(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    matrix_staff(app)
    return app


@pytest.fixture
def organisations(app):
    """Alatau Trade once, Kazpost twice (the boss's and the agent's), Hidden LLP the boss can't see."""
    with app.app_context():
        session = db.session()
        users = {user.email.split("@")[0]: user.id for user in session.execute(select(User)).scalars()}
        rows = [("Alatau Trade", "boss"), ("Kazpost", "boss"), ("Kazpost", "north"), ("Hidden LLP", "support")]
        made = [Organization(name=name, owner_id=users[who], created_by_id=users[who]) for name, who in rows]
        session.add_all(made)
        session.commit()
        return {f"{org.name} {index}": org.id for index, org in enumerate(made)}


def import_as(app, who, text, tmp_path, *args, encoding="cp1251"):
    path = tmp_path / "people.csv"
    path.write_bytes(text.encode(encoding))
    return app.test_cli_runner().invoke(args=["import", "person", str(path), "--as", f"{who}@example.com", *args])


def people(app):
    with app.app_context():
        statement = select(Person.name, Person.organization_id, Person.source).order_by(Person.id)
        return [tuple(row) for row in db.session().execute(statement)]


def test_people_named_by_organisation_and_russian_source_are_saved_and_an_ambiguous_name_reported(app, organisations, tmp_path):
    text = HEADER + "Айгуль Серик;Alatau Trade;Сайт\nБорис Ли;Alatau Trade;реклама\nИван Ким;Kazpost;Партнёр\nДана Ержан;;Рекомендация\n"
    result = import_as(app, "boss", text, tmp_path)
    assert people(app) == [
        ("Айгуль Серик", organisations["Alatau Trade 0"], "website"),
        ("Борис Ли", organisations["Alatau Trade 0"], "advertising"),
        ("Дана Ержан", None, "referral"),
    ]
    assert "row 4, Organisation (organization_id): Several records are called Kazpost: give the number instead." in result.output


def test_an_ambiguous_name_is_given_by_its_number_instead(app, organisations, tmp_path):
    import_as(app, "boss", HEADER + f"Иван Ким;{organisations['Kazpost 2']};partner\n", tmp_path)
    assert people(app) == [("Иван Ким", organisations["Kazpost 2"], "partner")]


def test_choices_are_read_by_their_label_in_kazakh_and_english_and_by_code_whatever_the_case(app, tmp_path):
    text = HEADER + "A;;Көрме\nB;;COLD CALL\nC;;social\nD;;Социальные  сети\n"
    import_as(app, "boss", text, tmp_path, encoding="utf-8")  # Kazakh letters: cp1251 has none
    assert [source for _name, _org, source in people(app)] == ["exhibition", "cold_call", "social", "social"]


def test_an_unknown_label_is_refused_as_before(app, tmp_path):
    result = import_as(app, "boss", HEADER + "A;;Газета\n", tmp_path)
    assert people(app) == [] and "row 2, Source (source): Must be one of:" in result.output


def test_a_hidden_organisation_and_a_missing_one_get_the_same_message(app, organisations, tmp_path):
    result = import_as(app, "boss", HEADER + "A;Hidden LLP;\nB;Nowhere Ltd;\n", tmp_path)
    assert people(app) == []
    assert "row 2, Organisation (organization_id): No record is called Hidden LLP." in result.output
    assert "row 3, Organisation (organization_id): No record is called Nowhere Ltd." in result.output


def test_an_admin_who_sees_every_organisation_links_the_one_hidden_from_the_manager(app, organisations, tmp_path):
    result = import_as(app, "admin", HEADER + "A;Hidden LLP;\n", tmp_path)
    assert result.exit_code == 0 and people(app) == [("A", organisations["Hidden LLP 3"], None)]


def test_names_are_looked_up_once_per_chunk_whatever_the_number_of_rows(app, organisations):
    lookups = []
    with app.test_request_context():
        session = db.session()
        boss = session.execute(select(User).where(User.email == "boss@example.com")).scalar_one()
        entity = app.extensions["crmkit"].entities.get("person")
        importer = Importer(entity, boss, session, {"0": "name", "1": "organization_id"})
        names = ["Alatau Trade", "Kazpost", "Hidden LLP"]
        rows = [(number, [f"Person {number}", names[number % 3]]) for number in range(2, 32)]

        def count(_conn, _cursor, statement, *_args):
            if "contacts_organization" in statement and statement.lstrip().upper().startswith("SELECT"):
                lookups.append(statement)

        event.listen(session.get_bind(), "before_cursor_execute", count)
        try:
            outcome = importer.run(rows, chunk_size=10)
        finally:
            event.remove(session.get_bind(), "before_cursor_execute", count)
    assert outcome.created == 10 and outcome.bad == 20
    assert len(lookups) == 3 * 2  # three chunks: a lookup of the names, then the check of the ids


def test_the_import_pages_report_an_ambiguous_name_by_row_before_anything_is_saved(app, organisations):
    client = client_as(app, "boss@example.com", PASSWORD)
    url = "/transfer/person/import"
    text = HEADER + "Айгуль Серик;Alatau Trade;Сайт\nИван Ким;Kazpost;Партнёр\n"
    upload = client.post(url, data={"file": (io.BytesIO(text.encode("cp1251")), "people.csv"), "mode": "skip",
                                    "csrf_token": csrf_token(client, url)}, content_type="multipart/form-data")
    mapping = {"column-0": "name", "column-1": "organization_id", "column-2": "source"}
    check = client.post(upload.location, data={**mapping, "mode": "skip", "csrf_token": csrf_token(client, upload.location)})
    page = client.get(check.location).get_data(as_text=True)
    assert "To create: 1" in page and re.search(r"3.*Organisation.*Several records are called Kazpost", page, re.S)
    assert people(app) == []
