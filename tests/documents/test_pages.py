"""The pages: templates admins write (validation with the line and a translated message, the
fields listed beside the editor), making a document from a deal's page (pick, preview, generate),
the archive with its filters, search and export, and who may do what."""

from __future__ import annotations

import re

from sqlalchemy import select

from crmkit import db
from crmkit.core.documents.models import Document
from crmkit.testing.accounts import csrf_token, login
from tests.documents.conftest import new_deal_with_lines, template_id


def admin(app):
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def save_template(client, source, entity="deal", language_header="en"):
    token = csrf_token(client, "/documents/templates/new")
    return client.post("/documents/templates/new", data={"csrf_token": token, "name": "Offer", "entity": entity,
                                                         "doc_type": "offer", "language": "ru", "source": source},
                       headers={"Accept-Language": language_header})


def test_a_template_with_a_syntax_error_is_refused_with_its_line(docs_app):
    response = save_template(admin(docs_app), "<p>{{ record.title }}</p>\n<p>{% for item in items %}</p>")
    assert response.status_code == 422
    assert "line 2" in response.get_data(as_text=True) or "line 3" in response.get_data(as_text=True)


def test_an_unknown_field_is_refused_naming_it_and_its_line(docs_app):
    page = save_template(admin(docs_app), "<p>{{ record.title }}</p>\n<p>{{ record.colour }}</p>").get_data(as_text=True)
    assert "line 2" in page and "«colour»" in page


def test_an_unknown_line_item_field_and_an_unknown_name_are_refused(docs_app):
    source = "{% for item in items %}{{ item.weight }}{% endfor %}\n{{ secret }}"
    page = save_template(admin(docs_app), source).get_data(as_text=True)
    assert "a line item has no field «weight»" in page and "unknown name «secret»" in page


def test_private_attributes_are_refused(docs_app):
    page = save_template(admin(docs_app), "{{ record.__class__ }}").get_data(as_text=True)
    assert "«__class__» is not allowed" in page


def test_line_items_are_only_for_deals(docs_app):
    page = save_template(admin(docs_app), "{% for item in items %}{{ item.name }}{% endfor %}", entity="person").get_data(as_text=True)
    assert "unknown name «items»" in page


def test_the_message_is_in_the_admins_language(docs_app):
    client = admin(docs_app)
    client.post("/-/language", data={"csrf_token": csrf_token(client, "/documents/templates/"), "language": "ru"})
    page = save_template(client, "{{ record.title }}\n{{ record.colour }}").get_data(as_text=True)
    assert "строка 2" in page and "нет поля «colour»" in page


def test_a_valid_template_is_saved_and_its_fields_are_listed_beside_the_editor(docs_app):
    client = admin(docs_app)
    response = save_template(client, "<h1>{{ document.number }}</h1>{% for item in items %}{{ item.total }}{% endfor %}{{ totals.in_words }}")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "record.amount" in page and "item.quantity" in page and "totals.in_words" in page


def test_a_deal_page_offers_create_document_and_it_makes_one(docs_app):
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    assert f"/documents/make/deal/{deal_id}" in client.get(f"/deal/{deal_id}").get_data(as_text=True)
    offer = template_id(docs_app)
    preview = client.get(f"/documents/make/deal/{deal_id}?template={offer}").get_data(as_text=True)
    assert "srcdoc=" in preview and "Монтаж окон" in preview and "sandbox" in preview
    token = csrf_token(client, f"/documents/make/deal/{deal_id}?template={offer}")
    response = client.post(f"/documents/make/deal/{deal_id}", data={"csrf_token": token, "template": offer})
    assert response.status_code == 302 and re.search(r"/document/\d+$", response.location)
    page = client.get(response.location).get_data(as_text=True)
    assert "КП-" in page and "/files/" in page


def test_generating_without_a_csrf_token_is_refused(docs_app):
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    assert client.post(f"/documents/make/deal/{deal_id}", data={"template": template_id(docs_app)}).status_code == 400
    with docs_app.app_context():
        assert db.session().execute(select(Document.id)).first() is None


def test_an_agent_cannot_make_documents_of_a_deal_they_do_not_see(docs_app, make_user, client_for):
    deal_id = new_deal_with_lines(docs_app)
    agent = make_user("agent", app=docs_app)
    client = client_for(agent, app=docs_app)
    assert client.get(f"/documents/make/deal/{deal_id}").status_code == 404
    assert client.get("/documents/templates/").status_code == 403


def test_the_archive_lists_searches_filters_and_exports(docs_app):
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    offer = template_id(docs_app)
    token = csrf_token(client, f"/documents/make/deal/{deal_id}?template={offer}")
    client.post(f"/documents/make/deal/{deal_id}", data={"csrf_token": token, "template": offer})
    assert client.get("/documents/").location.endswith("/document/")
    listed = client.get("/document/?q=КП-").get_data(as_text=True)
    assert "КП-" in listed
    assert "КП-" not in client.get("/document/?status=signed").get_data(as_text=True)
    exported = client.get("/transfer/document/export?format=csv")
    assert exported.status_code == 200 and "КП-" in exported.get_data(as_text=True)


def test_a_paper_document_is_registered_with_new_and_its_status_moves_to_signed(docs_app):
    client = admin(docs_app)
    token = csrf_token(client, "/document/new")
    response = client.post("/document/new", data={"csrf_token": token, "title": "Договор аренды (бумажный)",
                                                  "doc_type": "contract", "number": "ДГ-2025-0099", "status": "sent",
                                                  "language": "ru"})
    assert response.status_code == 302, response.get_data(as_text=True)
    with docs_app.app_context():
        document = db.session().execute(select(Document)).scalar_one()
        assert (document.number, document.status, document.entity) == ("ДГ-2025-0099", "sent", None)
        document_id, version = document.id, document.version
    edit = f"/document/{document_id}/edit"
    token = csrf_token(client, edit)
    response = client.post(edit, data={"csrf_token": token, "title": "Договор аренды (бумажный)", "doc_type": "contract",
                                       "number": "ДГ-2025-0099", "status": "signed", "language": "ru", "version": version})
    assert response.status_code == 302, response.get_data(as_text=True)
    with docs_app.app_context():
        assert db.session().get(Document, document_id).status == "signed"


def test_the_archive_is_in_the_rest_api(docs_app, api_client):
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    offer = template_id(docs_app)
    token = csrf_token(client, f"/documents/make/deal/{deal_id}?template={offer}")
    client.post(f"/documents/make/deal/{deal_id}", data={"csrf_token": token, "template": offer})
    found = api_client("admin", app=docs_app).get("/api/v1/document").get_json()
    item = found["items"][0]
    assert item["number"].startswith("КП-") and item["total"] in ("481600.56", 481600.56) and item["status"] == "draft"


def test_a_template_that_fails_on_a_record_is_a_message_and_no_document(docs_app):
    from crmkit.core.documents.models import DocumentTemplate

    with docs_app.app_context():
        template = DocumentTemplate(name="Broken", entity="deal", doc_type="act", language="ru",
                                    source="<p>{{ record.title.nickname }}</p>")
        db.session().add(template)
        db.session().commit()
        broken = template.id
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    token = csrf_token(client, f"/documents/make/deal/{deal_id}")
    response = client.post(f"/documents/make/deal/{deal_id}", data={"csrf_token": token, "template": broken})
    assert response.status_code == 422
    assert "could not be filled" in response.get_data(as_text=True)
    with docs_app.app_context():
        assert db.session().execute(select(Document.id)).first() is None
