"""What an export's cells hold: phones without an apostrophe yet never a formula, linked records
by their titles (the number when a title would not find them again), no mapping columns."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.conftest import ADMIN_EMAIL, login
from tests.people import PASSWORD, person


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


@pytest.fixture
def client(app):
    person(app, ADMIN_EMAIL, role="admin", name="Admin")
    client = app.test_client()
    assert login(client, ADMIN_EMAIL, PASSWORD).status_code == 302
    return client


def create(app, key, **values) -> int:
    with app.test_request_context():
        session = db.session()
        user = session.execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        return Records(app.extensions["crmkit"].entities.get(key), user, session).create(values).id


def csv_table(client, key, query=""):
    text = client.get(f"/transfer/{key}/export{query}").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def xlsx_sheet(client, key):
    response = client.get(f"/transfer/{key}/export?format=xlsx")
    return load_workbook(io.BytesIO(response.get_data())).active


def xlsx_cell(sheet, heading, row=2):
    headings = [cell.value for cell in sheet[1]]
    return sheet.cell(row=row, column=headings.index(heading) + 1)


def test_a_csv_phone_cell_is_the_number_without_an_apostrophe(app, client):
    create(app, "person", name="Aigerim", phone="8 701 123 45 67", other_phones="8 727 250 12 34")
    [row] = csv_table(client, "person")
    assert row["Phone"] == "+77011234567"
    assert row["Other phones"] == "+77272501234"


def test_a_csv_text_cell_that_reads_as_a_formula_keeps_its_apostrophe(app, client):
    create(app, "person", name="=HYPERLINK(\"http://evil\")", phone="+77011234567")
    [row] = csv_table(client, "person")
    assert row["Full name"] == "'=HYPERLINK(\"http://evil\")"


def test_an_xlsx_phone_is_a_text_cell_as_pages_show_it(app, client):
    create(app, "person", name="Aigerim", phone="8 727 250 12 34")
    cell = xlsx_cell(xlsx_sheet(client, "person"), "Phone")
    assert (cell.value, cell.data_type) == ("+7 727 250 12 34", "s")


def test_an_xlsx_formula_text_is_a_quoted_text_cell_not_a_formula(app, client):
    create(app, "person", name="=1+2", phone="+77011234567")
    cell = xlsx_cell(xlsx_sheet(client, "person"), "Full name")
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+2", "s", True)


def test_a_link_exports_the_linked_records_title(app, client):
    org_id = create(app, "organization", name="Kaspi")
    create(app, "person", name="Aigerim", organization_id=org_id)
    [row] = csv_table(client, "person")
    assert row["Organisation"] == "Kaspi"


def test_a_link_whose_title_two_records_share_exports_the_number(app, client):
    first = create(app, "organization", name="Alpha")
    create(app, "organization", name="Alpha")
    create(app, "person", name="Aigerim", organization_id=first)
    [row] = csv_table(client, "person")
    assert row["Organisation"] == str(first)


def test_an_exported_link_title_imports_back_to_the_same_record(app, client, tmp_path):
    org_id = create(app, "organization", name="Kaspi")
    create(app, "person", name="Aigerim", organization_id=org_id)
    exported = tmp_path / "people.csv"
    exported.write_bytes(client.get("/transfer/person/export").get_data())
    result = app.test_cli_runner().invoke(args=["import", "person", str(exported), "--dedup", "create"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from crmkit.core.contacts.models import Person

        linked = db.session().execute(select(Person.organization_id)).scalars().all()
    assert linked == [org_id, org_id]


def test_the_phones_as_typed_mapping_is_not_exported(app, client):
    create(app, "person", name="Aigerim", phone="8 701 123 45 67")
    [row] = csv_table(client, "person")
    assert "Phones as typed" not in row and not any("{" in value for value in row.values())


def test_a_choice_exports_its_label_and_imports_back_as_its_code(app, client, tmp_path):
    create(app, "person", name="Aigerim", segment="b", source="website")
    exported = tmp_path / "people.csv"
    exported.write_bytes(client.get("/transfer/person/export").get_data())
    [row] = csv_table(client, "person")
    assert (row["Segment"], row["Source"]) == ("B: regular", "Website")
    result = app.test_cli_runner().invoke(args=["import", "person", str(exported), "--dedup", "create"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        from crmkit.core.contacts.models import Person

        assert db.session().execute(select(Person.segment, Person.source)).all() == [("b", "website")] * 2


def test_the_phones_as_typed_mapping_is_not_offered_as_a_list_column(app, client):
    from crmkit.core.records.saved_views import column_choices

    with app.app_context():
        offered = column_choices(app.extensions["crmkit"].entities.get("person"))
    assert "phones_typed" not in offered and "phone" in offered
    create(app, "person", name="Aigerim", phone="8 701 123 45 67")
    assert "Phones as typed" not in client.get("/person/?columns=name,phones_typed").get_data(as_text=True)
