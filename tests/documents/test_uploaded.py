"""Documents uploaded to a record enter the archive: numbered, dated, addressed to the record's
counterparty, with the file as theirs; from the record page and the REST API alike, in the
upload's transaction; other kinds of file, and generated documents' own files, don't."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.documents import generation
from crmkit.core.documents.models import Document, DocumentSequence, DocumentTemplate
from crmkit.core.files.models import Attachment
from crmkit.testing.accounts import csrf_token, login
from tests.documents.conftest import new_deal_with_lines, records, template_id

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def admin(app):
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def upload(client, deal_id: int, *files: tuple[bytes, str], kind="document"):
    token = csrf_token(client, f"/deal/{deal_id}")
    return client.post(f"/files/deal/{deal_id}/upload", content_type="multipart/form-data",
                       data={"csrf_token": token, "kind": kind, "files": [(io.BytesIO(data), name) for data, name in files]})


def documents(app) -> list[Document]:
    with app.app_context():
        return list(db.session().execute(select(Document).order_by(Document.id)).scalars())


def test_a_signed_scan_uploaded_to_a_deal_enters_the_archive_numbered_with_its_file(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    assert upload(admin(docs_app), deal_id, (PDF, "Договор подписанный.pdf")).status_code == 303
    [document] = documents(docs_app)
    with docs_app.app_context():
        attachment = db.session().get(Attachment, document.attachment_id)
    assert document.number.startswith("ДОК-") and document.number.endswith("-0001")
    assert (document.title, document.doc_type, document.status) == ("Договор подписанный.pdf", "other", "draft")
    assert (document.entity, document.record_id, document.filename) == ("deal", deal_id, "Договор подписанный.pdf")
    assert document.organization_id is not None and document.template_id is None
    assert (attachment.entity, attachment.record_id, attachment.kind) == ("deal", deal_id, "document")


def test_a_photo_or_a_plain_file_does_not_enter_the_archive(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    client = admin(docs_app)
    assert upload(client, deal_id, (PDF, "plan.pdf"), kind="file").status_code == 303
    assert documents(docs_app) == []


def test_a_generated_document_enters_the_archive_once(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    with docs_app.test_request_context():
        deal_records = records(docs_app, "deal")
        template = db.session().get(DocumentTemplate, template_id(docs_app))
        generation.generate(template, deal_records.entity, deal_records.get(deal_id), deal_records.user)
    [document] = documents(docs_app)
    assert document.doc_type == "offer" and document.number.startswith("КП-")


def test_a_refused_upload_leaves_no_document_and_takes_no_number(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    client = admin(docs_app)
    response = upload(client, deal_id, (PDF, "scan.pdf"), (b"MZ\x90\x00" + b"\x00" * 200, "virus.pdf"))
    assert response.status_code == 415
    assert documents(docs_app) == []
    with docs_app.app_context():
        assert db.session().execute(select(func.coalesce(func.max(DocumentSequence.last), 0))).scalar() == 0
    assert upload(client, deal_id, (PDF, "scan.pdf")).status_code == 303
    assert documents(docs_app)[0].number.endswith("-0001")


def test_several_documents_in_one_upload_get_one_number_each(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    assert upload(admin(docs_app), deal_id, (PDF, "act.pdf"), (PDF + b" ", "invoice.pdf")).status_code == 303
    assert [d.number[-4:] for d in documents(docs_app)] == ["0001", "0002"]


def test_an_upload_through_the_rest_api_enters_the_archive(docs_app, api_client):
    deal_id = new_deal_with_lines(docs_app)
    response = api_client("admin", app=docs_app).post(
        f"/api/v1/deal/{deal_id}/attachments", content_type="multipart/form-data",
        data={"kind": "document", "files": [(io.BytesIO(PDF), "signed.pdf")]})
    assert response.status_code == 201, response.get_data(as_text=True)
    [document] = documents(docs_app)
    assert document.attachment_id == response.get_json()["items"][0]["id"]


def test_deleting_the_file_keeps_its_document_without_the_file(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    client = admin(docs_app)
    upload(client, deal_id, (PDF, "scan.pdf"))
    [document] = documents(docs_app)
    token = csrf_token(client, f"/deal/{deal_id}")
    assert client.post(f"/files/{document.attachment_id}/delete", data={"csrf_token": token}).status_code == 303
    [kept] = documents(docs_app)
    assert (kept.id, kept.number, kept.attachment_id) == (document.id, document.number, None)
    assert "No file is attached" in client.get(f"/document/{kept.id}").get_data(as_text=True)


def test_the_uploaded_document_is_found_in_the_archive_by_its_file_name(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    client = admin(docs_app)
    upload(client, deal_id, (PDF, "Акт сверки.pdf"))
    assert "Акт сверки.pdf" in client.get("/document/?q=сверки").get_data(as_text=True)
