"""The ``attachment_event`` hook: plugins hear of every file attached to a record and every one
removed, in the transaction that does it, and may refuse an upload with a message."""

from __future__ import annotations

import io

from sqlalchemy import select

from crmkit import db
from crmkit.core.files import Refused
from crmkit.core.files.models import Attachment
from crmkit.testing.accounts import csrf_token
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user
from tests.files.conftest import admin_client, new_person, png
from tests.test_entity_hooks import plugin


def upload(client, person_id: int, name: str, data: bytes, kind="photo"):
    token = csrf_token(client, f"/person/{person_id}")
    return client.post(f"/files/person/{person_id}/upload", content_type="multipart/form-data",
                       data={"csrf_token": token, "kind": kind, "files": [(io.BytesIO(data), name)]})


def test_hook_attachment_event(make_app):
    calls = []
    watcher = plugin("watcher", attachment_event=lambda event, attachment, entity_key, user: calls.append(
        (event, entity_key, attachment.record_id, attachment.kind, attachment.original_name, user.email)))
    app = make_app(plugins=[watcher], DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    person_id = new_person(app)
    client = admin_client(app)
    assert upload(client, person_id, "front.png", png()).status_code == 303
    with app.app_context():
        attachment_id = db.session().execute(select(Attachment.id)).scalar_one()
    token = csrf_token(client, f"/person/{person_id}")
    assert client.post(f"/files/{attachment_id}/delete", data={"csrf_token": token}).status_code == 303
    assert calls == [("after_create", "person", person_id, "photo", "front.png", ADMIN_EMAIL),
                     ("before_delete", "person", person_id, "photo", "front.png", ADMIN_EMAIL)]


def test_a_plugin_refusing_a_file_refuses_the_upload_and_nothing_is_kept(make_app):
    def no_photos_on_people(event, attachment, entity_key, user):
        if event == "after_create" and attachment.kind == "photo":
            raise Refused("People's photos are kept elsewhere.", 422)

    app = make_app(plugins=[plugin("strict", attachment_event=no_photos_on_people)], DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    person_id = new_person(app)
    response = upload(admin_client(app), person_id, "face.png", png())
    assert response.status_code == 422 and "kept elsewhere" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().execute(select(Attachment.id)).first() is None
