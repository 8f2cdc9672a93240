"""Uploading through the record page: several files at once, whole or not at all; over the size
limit, a type its content contradicts, a program, an image bomb and unsafe names are refused with
a message, and nothing of the refused upload stays."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.files import attachments_of
from crmkit.core.files.checks import display_name, safe_name
from crmkit.core.files.models import Attachment
from tests.files.conftest import blob_names, jpeg, new_person, png
from tests.files.uploading import EXE, bomb_png, upload


@pytest.fixture
def folder_app(make_app):
    return make_app(DEFAULT_LOCALE="en", FILES_MAX_SIZE=200_000)


@pytest.fixture
def admin(folder_app, admin_client_for):
    return admin_client_for(folder_app)


def stored(app) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(Attachment)).scalar_one()


def test_several_files_are_attached_at_once_and_shown_on_the_record_page(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(png(), "front.png"), (jpeg(), "yard.jpg"), (b"hello", "notes.txt")])
    assert response.status_code == 303
    page = admin.get(f"/person/{record_id}").get_data(as_text=True)
    assert "front.png" in page and "yard.jpg" in page and "notes.txt" in page
    assert stored(folder_app) == 3


def test_a_script_uploading_gets_json_back(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(png(), "a.png")], Accept="application/json")
    assert response.status_code == 201 and response.json["items"][0]["name"] == "a.png"


def test_a_file_over_the_limit_is_refused_with_413_and_nothing_is_kept(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(b"ok", "small.txt"), (b"z" * 250_000, "big.txt")])
    assert response.status_code == 413
    assert "“big.txt” is larger than 195.3 KB." in response.get_data(as_text=True)
    assert stored(folder_app) == 0 and blob_names(folder_app) == set()


def test_a_request_too_large_to_read_is_refused_with_413(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en", FILES_MAX_SIZE=1000)
    client = admin_client_for(app)
    record_id = new_person(app)
    response = upload(client, "person", record_id, [(b"q" * 1_100_000, "huge.txt")], Accept="application/json")
    assert response.status_code == 413
    assert response.json["error"]["message"] == "The upload is larger than allowed: at most 1000 B a file."


def test_a_jpg_that_is_really_a_program_is_refused(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(EXE, "holiday.jpg")])
    assert response.status_code == 415
    assert "is a program" in response.get_data(as_text=True)
    assert stored(folder_app) == 0


def test_a_file_whose_content_contradicts_its_name_is_refused(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(png(), "invoice.pdf")])
    assert response.status_code == 415
    assert "“invoice.pdf” is named as PDF but its content is PNG." in response.get_data(as_text=True)


def test_a_name_claiming_an_image_over_text_is_refused(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(b"just some words", "photo.png")])
    assert response.status_code == 415


def test_an_image_bomb_is_refused_before_anything_is_stored(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(bomb_png(), "plan.png")])
    assert response.status_code == 422
    assert "has too many pixels to be shown" in response.get_data(as_text=True)
    assert stored(folder_app) == 0 and blob_names(folder_app) == set()


def test_one_refused_file_refuses_the_whole_upload(folder_app, admin):
    record_id = new_person(folder_app)
    response = upload(admin, "person", record_id, [(png(), "good.png"), (EXE, "bad.png")])
    assert response.status_code == 415
    assert stored(folder_app) == 0 and blob_names(folder_app) == set()


@pytest.mark.parametrize(("given", "safe"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\dana\\contract.docx", "contract.docx"),
    ("report\x00.pdf\x07", "report.pdf"),
    ("CON.txt", "_CON.txt"),
    ("lpt1", "_lpt1"),
    ("  ..hidden. ", "hidden"),
    ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
    ("", "file"),
    ("/", "file"),
    ("Договор №5.docx", "Договор №5.docx"),
])
def test_names_are_made_safe(given, safe):
    assert safe_name(given) == safe


def test_a_very_long_name_keeps_its_extension_within_200_bytes():
    name = safe_name("ж" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name.encode()) <= 200


def test_the_name_as_uploaded_is_kept_for_display_without_control_characters(folder_app, admin):
    record_id = new_person(folder_app)
    assert upload(admin, "person", record_id, [(b"x", "a/b\x01c.txt")]).status_code == 303
    with folder_app.app_context():
        (row,) = attachments_of("person", record_id)
        assert (row.filename, row.original_name) == ("bc.txt", "a/bc.txt")
    assert display_name("x\ny") == "xy"


def test_an_upload_without_files_asks_for_one(folder_app, admin):
    record_id = new_person(folder_app)
    assert upload(admin, "person", record_id, []).status_code == 400


def test_an_unknown_kind_is_refused(folder_app, admin):
    record_id = new_person(folder_app)
    assert upload(admin, "person", record_id, [(b"x", "x.txt")], kind="secret").status_code == 400


def test_a_refusal_speaks_the_users_language(folder_app, make_user, client_for):
    from tests.files.test_access import owned_by

    agent = make_user("agent", app=folder_app, locale="ru")
    record_id = owned_by(folder_app, agent)
    response = upload(client_for(agent, app=folder_app), "person", record_id, [(b"z" * 250_000, "big.txt")])
    assert response.status_code == 413
    assert "«big.txt» больше 195,3 КБ." in response.get_data(as_text=True)
