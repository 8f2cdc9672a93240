"""Who may see and change a record's files: exactly who may see and change the record. Downloads
are streamed with a Content-Disposition that carries any name; an archived record's files are kept,
archived with it and read-only."""

from __future__ import annotations

import re

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.files import attach, attachments_of
from crmkit.core.files.models import Attachment
from crmkit.entities.service import Records
from crmkit.testing import csrf_token
from tests.files.conftest import admin_client, new_person, png
from tests.files.uploading import upload


def owned_by(app, user, name="Private client") -> int:
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("person")
        return Records(entity, session.get(User, user.id), session).create({"name": name}).id


def attached(app, record_id, data=b"secret terms", name="terms.txt", **options) -> int:
    with app.app_context():
        row = attach("person", record_id, data, name, **options)
        db.session().commit()
        return row.id


def test_an_agent_cannot_download_another_agents_private_records_file(files_app, make_user, client_for):
    dana, erlan = make_user("agent", app=files_app), make_user("agent", app=files_app)
    record_id = owned_by(files_app, dana)
    file_id = attached(files_app, record_id)
    theirs = client_for(erlan, app=files_app)
    for url in (f"/files/{file_id}/download", f"/files/{file_id}", f"/files/{file_id}/thumb/320"):
        assert theirs.get(url).status_code == 404, url
    mine = client_for(dana, app=files_app)
    response = mine.get(f"/files/{file_id}/download")
    assert response.status_code == 200 and response.data == b"secret terms"


def test_an_agent_cannot_upload_to_delete_or_reorder_files_of_a_record_they_dont_see(files_app, make_user, client_for):
    dana, erlan = make_user("agent", app=files_app), make_user("agent", app=files_app)
    record_id = owned_by(files_app, dana)
    file_id = attached(files_app, record_id)
    theirs = client_for(erlan, app=files_app)
    token = csrf_token(theirs, "/person/")
    assert theirs.post(f"/files/{file_id}/delete", data={"csrf_token": token}).status_code == 404
    assert theirs.post(f"/files/{file_id}/move", data={"csrf_token": token, "direction": "up"}).status_code == 404
    assert theirs.post(f"/files/person/{record_id}/upload", data={"csrf_token": token}).status_code == 404
    with files_app.app_context():
        assert len(attachments_of("person", record_id)) == 1


def test_a_download_is_named_by_rfc_5987_and_never_runs_in_the_page(files_app):
    record_id = new_person(files_app)
    file_id = attached(files_app, record_id, b"<html><script>alert(1)</script>", "Договор №5.html")
    response = admin_client(files_app).get(f"/files/{file_id}/download")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%D0%94%D0%BE%D0%B3%D0%BE%D0%B2%D0%BE%D1%80%20%E2%84%965.html" in disposition
    assert response.mimetype == "text/plain" and response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Length"] == str(len(b"<html><script>alert(1)</script>"))


def test_an_image_is_shown_inline_in_the_viewer_and_downloaded_elsewhere(files_app):
    record_id = new_person(files_app)
    file_id = attached(files_app, record_id, png(), "front.png")
    client = admin_client(files_app)
    assert client.get(f"/files/{file_id}/download?inline=1").headers["Content-Disposition"].startswith("inline")
    assert client.get(f"/files/{file_id}/download").headers["Content-Disposition"].startswith("attachment")


def test_a_thumbnail_is_made_once_and_kept_in_storage(files_app):
    from tests.files.conftest import blob_names

    record_id = new_person(files_app)
    file_id = attached(files_app, record_id, png(2000, 1000), "wide.png")
    client = admin_client(files_app)
    response = client.get(f"/files/{file_id}/thumb/320")
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    thumbs = [name for name in blob_names(files_app) if name.startswith("thumbs/")]
    assert len(thumbs) == 1 and thumbs[0].endswith("-320.jpg")
    assert client.get(f"/files/{file_id}/thumb/320").data == response.data
    assert client.get(f"/files/{file_id}/thumb/77").status_code == 404  # only the sizes the pages use


def test_the_viewer_page_steps_through_a_records_pictures(files_app):
    record_id = new_person(files_app)
    ids = [attached(files_app, record_id, png(color=(i * 40, 0, 0)), f"p{i}.png", kind="photo") for i in range(3)]
    page = admin_client(files_app).get(f"/files/{ids[1]}").get_data(as_text=True)
    assert f'href="/files/{ids[0]}"' in page and f'href="/files/{ids[2]}"' in page
    assert "2 of 3" in page and f"/files/{ids[1]}/download" in page


def test_files_are_reordered_with_buttons_and_by_dragging(files_app):
    record_id = new_person(files_app)
    ids = [attached(files_app, record_id, f"{i}".encode(), f"{i}.txt") for i in range(3)]
    client = admin_client(files_app)
    token = csrf_token(client, f"/person/{record_id}")
    assert client.post(f"/files/{ids[2]}/move", data={"csrf_token": token, "direction": "up"}).status_code == 303
    with files_app.app_context():
        assert [a.id for a in attachments_of("person", record_id)] == [ids[0], ids[2], ids[1]]
    order = {"csrf_token": token, "kind": "file", "ids": f"{ids[1]},{ids[0]},{ids[2]}"}
    assert client.post(f"/files/person/{record_id}/order", data=order).status_code == 303
    with files_app.app_context():
        assert [a.id for a in attachments_of("person", record_id)] == [ids[1], ids[0], ids[2]]
    partial = {"csrf_token": token, "kind": "file", "ids": f"{ids[1]},{ids[0]}"}
    assert client.post(f"/files/person/{record_id}/order", data=partial).status_code == 400


def test_deleting_a_file_from_the_page_removes_it(files_app):
    record_id = new_person(files_app)
    file_id = attached(files_app, record_id)
    client = admin_client(files_app)
    response = client.post(f"/files/{file_id}/delete", data={"csrf_token": csrf_token(client, f"/person/{record_id}")})
    assert response.status_code == 303
    with files_app.app_context():
        assert db.session().get(Attachment, file_id) is None


def test_the_forms_need_a_csrf_token(files_app):
    record_id = new_person(files_app)
    file_id = attached(files_app, record_id)
    client = admin_client(files_app)
    assert client.post(f"/files/{file_id}/delete").status_code == 400


def test_an_archived_records_files_are_archived_with_it_and_read_only(files_app):
    record_id = new_person(files_app)
    file_id = attached(files_app, record_id)
    client = admin_client(files_app)
    with files_app.app_context():
        session = db.session()
        records = Records(files_app.extensions["crmkit"].entities.get("person"), session.get(User, 1), session)
        records.archive(records.get(record_id))
        assert session.get(Attachment, file_id).archived_at is not None
    page = client.get(f"/person/{record_id}").get_data(as_text=True)
    assert "terms.txt" in page and 'class="attachment-upload"' not in page
    assert upload(client, "person", record_id, [(b"x", "late.txt")]).status_code == 403
    assert client.get(f"/files/{file_id}/download").status_code == 200
    with files_app.app_context():
        session = db.session()
        records = Records(files_app.extensions["crmkit"].entities.get("person"), session.get(User, 1), session)
        records.restore(records.get(record_id))
        assert session.get(Attachment, file_id).archived_at is None


def test_a_records_files_are_on_its_timeline(files_app):
    record_id = new_person(files_app)
    attached(files_app, record_id, png(), "facade.png")
    page = admin_client(files_app).get(f"/person/{record_id}").get_data(as_text=True)
    assert re.search(r"File attached: facade\.png", page)
