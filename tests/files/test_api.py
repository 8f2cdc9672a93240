"""Attachments in the REST API, under the record's path: list, upload, download and delete, with
the record's permissions and the API's error format; documented in the OpenAPI document through
the ``api_paths`` hook."""

from __future__ import annotations

import io

from crmkit.core.files import attachments_of
from tests.files.conftest import new_person, png
from tests.files.uploading import EXE


def files(*items):
    return {"files": [(io.BytesIO(content), name) for content, name in items]}


def test_a_program_uploads_lists_downloads_and_deletes_a_records_files(files_app, api_client):
    client = api_client("admin", app=files_app)
    record_id = new_person(files_app)
    base = f"/api/v1/person/{record_id}/attachments"
    response = client.post(base, data={**files((png(), "front.png"), (b"terms", "terms.txt")), "kind": "photo"},
                           content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    made = response.json["items"]
    assert [(i["name"], i["kind"], i["width"]) for i in made] == [("front.png", "photo", 40), ("terms.txt", "photo", None)]
    assert [i["name"] for i in client.get(base).json["items"]] == ["front.png", "terms.txt"]
    assert client.get(f"{base}?kind=file").json["items"] == []
    download = client.get(f"{base}/{made[1]['id']}")
    assert download.status_code == 200 and download.data == b"terms"
    assert "terms.txt" in download.headers["Content-Disposition"]
    assert client.delete(f"{base}/{made[1]['id']}").status_code == 204
    with files_app.app_context():
        assert [a.original_name for a in attachments_of("person", record_id)] == ["front.png"]


def test_a_refused_upload_answers_in_the_apis_error_format(files_app, api_client):
    client = api_client("admin", app=files_app)
    record_id = new_person(files_app)
    response = client.post(f"/api/v1/person/{record_id}/attachments", data=files((EXE, "scan.pdf")),
                           content_type="multipart/form-data")
    assert response.status_code == 415
    assert response.json["error"]["fields"]["files"] == [response.json["error"]["message"]]


def test_another_agents_private_record_is_not_found_through_the_api(files_app, make_user, api_client):
    from tests.files.test_access import attached, owned_by

    dana, erlan = make_user("agent", app=files_app), make_user("agent", app=files_app)
    record_id = owned_by(files_app, dana)
    file_id = attached(files_app, record_id)
    theirs = api_client(erlan, app=files_app)
    base = f"/api/v1/person/{record_id}/attachments"
    assert theirs.get(base).status_code == 404
    assert theirs.get(f"{base}/{file_id}").status_code == 404
    assert theirs.delete(f"{base}/{file_id}").status_code == 404
    assert api_client(dana, app=files_app).get(f"{base}/{file_id}").data == b"secret terms"


def test_a_file_is_found_only_under_its_own_records_path(files_app, api_client):
    from tests.files.test_access import attached

    client = api_client("admin", app=files_app)
    first, second = new_person(files_app), new_person(files_app, "Other")
    file_id = attached(files_app, first)
    assert client.get(f"/api/v1/person/{second}/attachments/{file_id}").status_code == 404
    assert client.get(f"/api/v1/organization/{first}/attachments/{file_id}").status_code == 404


def test_session_requests_need_the_csrf_header_to_upload(files_app):
    from tests.files.conftest import admin_client

    record_id = new_person(files_app)
    response = admin_client(files_app).post(f"/api/v1/person/{record_id}/attachments", data=files((b"x", "x.txt")),
                                            content_type="multipart/form-data")
    assert response.status_code == 400 and "csrf_token" in response.json["error"]["fields"]


def test_hook_api_paths(files_app, api_client):
    document = api_client("admin", app=files_app).get("/api/v1/openapi.json").json
    path = document["paths"]["/api/v1/person/{record_id}/attachments"]
    assert set(path) >= {"get", "post", "parameters"}
    assert "multipart/form-data" in path["post"]["requestBody"]["content"]
    one = document["paths"]["/api/v1/person/{record_id}/attachments/{attachment_id}"]
    assert set(one) >= {"get", "delete"}


def test_the_openapi_document_with_attachments_is_valid(files_app, api_client):
    from openapi_spec_validator import validate

    validate(api_client("admin", app=files_app).get("/api/v1/openapi.json").json)


def test_an_unknown_kind_in_the_list_is_refused(files_app, api_client):
    record_id = new_person(files_app)
    response = api_client("admin", app=files_app).get(f"/api/v1/person/{record_id}/attachments?kind=secret")
    assert response.status_code == 400 and "kind" in response.json["error"]["fields"]
