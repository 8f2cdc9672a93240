"""Word templates: an admin uploads a .docx with placeholders; it is checked (a syntax error or an
unknown field named with its paragraph, a file that is no .docx, one over the size limit) and
kept; a contract made from a deal with it is a .docx holding the deal's lines, the total in
words, the user and the date, numbered and filed in the archive like a PDF."""

from __future__ import annotations

import io

from sqlalchemy import select

from crmkit import db
from crmkit.core.documents import contract, generation, word
from crmkit.core.documents.models import DOCX_TYPE, Document, DocumentTemplate
from crmkit.core.files import open_blob
from crmkit.core.files.models import Attachment
from crmkit.testing.accounts import csrf_token, login
from tests.documents.conftest import new_deal_with_lines, records
from tests.documents.wording import docx


def admin(app):
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def upload_template(client, content: bytes, name="Contract", filename="contract.docx", language_header="en"):
    token = csrf_token(client, "/documents/templates/new")
    return client.post("/documents/templates/new", data={
        "csrf_token": token, "name": name, "entity": "deal", "doc_type": "contract", "language": "ru", "engine": "docx",
        "docx": (io.BytesIO(content), filename)}, content_type="multipart/form-data", headers={"Accept-Language": language_header})


def contract_id(app, language="ru") -> int:
    with app.app_context():
        return db.session().execute(select(DocumentTemplate.id).where(DocumentTemplate.name == contract.NAMES[language])).scalar_one()


def generate(app, template_id: int, deal_id: int) -> int:
    with app.test_request_context():
        template = db.session().get(DocumentTemplate, template_id)
        deal_records = records(app, "deal")
        return generation.generate(template, deal_records.entity, deal_records.get(deal_id), deal_records.user).id


def file_of(app, document_id: int) -> tuple[Document, Attachment, bytes]:
    with app.app_context():
        document = db.session().get(Document, document_id)
        attachment = db.session().get(Attachment, document.attachment_id)
        with open_blob(attachment) as blob:
            return document, attachment, blob.read()


def test_the_shipped_contract_is_a_valid_template_for_deals_in_each_language(docs_app):
    with docs_app.test_request_context():
        deal = docs_app.extensions["crmkit"].entities.get("deal")
        assert {language: word.problems(contract.build(language), deal) for language in contract.NAMES} == {"ru": [], "kk": [], "en": []}


def test_a_contract_from_a_deal_is_a_docx_with_its_lines_and_total_in_words(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    document, attachment, content = file_of(docs_app, generate(docs_app, contract_id(docs_app), deal_id))
    text = " ".join(word.text_of(content)).replace("\xa0", " ")
    assert "Договор купли-продажи № ДГ-" in text and "Монтаж окон" in text and "Доставка" in text
    assert "481 600,56" in text and "Четыреста восемьдесят одна тысяча шестьсот тенге 56 тиынов" in text
    assert "ТОО «Ромашка»" in text and "Admin" in text
    assert (attachment.content_type, attachment.filename) == (DOCX_TYPE, f"{document.number}.docx")
    assert (document.doc_type, document.entity, document.record_id, document.status) == ("contract", "deal", deal_id, "draft")


def test_the_kazakh_contract_spells_the_total_and_the_date_in_kazakh(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    _document, _attachment, content = file_of(docs_app, generate(docs_app, contract_id(docs_app, "kk"), deal_id))
    text = " ".join(word.text_of(content))
    assert "Сатып алу-сату шарты" in text and "Төрт жүз сексен бір мың алты жүз теңге 56 тиын" in text
    assert any(month in text for month in ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз",
                                           "қыркүйек", "қазан", "қараша", "желтоқсан"))


def test_the_user_and_todays_date_in_the_users_language_fill_their_placeholders(docs_app):
    with docs_app.app_context():
        template = DocumentTemplate(name="Who", entity="deal", doc_type="other", language="kk", engine="docx",
                                    docx=docx("{{ user.name }} / {{ user.email }} / {{ user.date }}"))
        db.session().add(template)
        db.session().commit()
        template_id = template.id
    _document, _attachment, content = file_of(docs_app, generate(docs_app, template_id, new_deal_with_lines(docs_app)))
    name, email, day = word.text_of(content)[0].split(" / ")
    assert (name, email) == ("Admin", "admin@example.com")
    assert any(month in day for month in ("January", "February", "March", "April", "May", "June", "July", "August",
                                          "September", "October", "November", "December"))  # the admin's language: en


def test_fields_holding_xml_characters_are_escaped_into_the_file(docs_app):
    deal_id = new_deal_with_lines(docs_app, title="Окна <b>&</b> «двери»")
    _document, _attachment, content = file_of(docs_app, generate(docs_app, contract_id(docs_app), deal_id))
    assert "«Окна <b>&</b> «двери»»" in " ".join(word.text_of(content))


def test_a_word_template_is_uploaded_kept_and_downloaded_again(docs_app):
    client = admin(docs_app)
    content = docx("Договор № {{ document.number }}", "{{ record.title }}", items=True)
    response = upload_template(client, content)
    assert response.status_code == 302, response.get_data(as_text=True)
    with docs_app.app_context():
        template = db.session().execute(select(DocumentTemplate).where(DocumentTemplate.name == "Contract")).scalar_one()
        assert (template.engine, template.docx, template.docx_name) == ("docx", content, "contract.docx")
        template_id = template.id
    downloaded = client.get(f"/documents/templates/{template_id}/docx")
    assert downloaded.status_code == 200 and downloaded.data == content


def test_a_syntax_error_in_a_word_template_names_its_paragraph(docs_app):
    content = docx("Договор № {{ document.number }}", "Покупатель: {{ organization.name }", "Итого: {{ totals.total }}")
    response = upload_template(admin(docs_app), content)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "body, paragraph 2 (" in page and "Покупатель: {{ organization.name }" in page
    with docs_app.app_context():
        assert db.session().execute(select(DocumentTemplate.id).where(DocumentTemplate.name == "Contract")).first() is None


def test_an_unknown_placeholder_is_refused_naming_it_and_its_place(docs_app):
    content = docx("{{ record.title }}", footer="{{ record.colour }}")
    page = upload_template(admin(docs_app), content).get_data(as_text=True)
    assert "footer, paragraph 1" in page and "has no field «colour»" in page


def test_an_unknown_line_item_field_is_refused(docs_app):
    content = docx("{{ record.title }}", items=True, item_field="weigh")
    page = upload_template(admin(docs_app), content).get_data(as_text=True)
    assert "a line item has no field «weigh»" in page


def test_a_file_that_is_not_a_word_document_is_refused(docs_app):
    response = upload_template(admin(docs_app), b"%PDF-1.7 not a docx", filename="contract.docx")
    assert response.status_code == 422 and "not a Word document (.docx)" in response.get_data(as_text=True)


def test_a_word_template_over_the_size_limit_is_refused(make_app):
    from crmkit.testing.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(DEFAULT_LOCALE="en", DOCUMENTS_TEMPLATE_MAX_SIZE=20_000)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    content = docx("{{ record.title }}", *["Пункт договора " * 40] * 200)
    assert len(content) > 20_000
    response = upload_template(admin(app), content)
    assert response.status_code in (413, 422) and "larger than" in response.get_data(as_text=True)


def test_the_refusal_is_in_the_admins_language(docs_app):
    client = admin(docs_app)
    client.post("/-/language", data={"csrf_token": csrf_token(client, "/documents/templates/"), "language": "ru"})
    page = upload_template(client, docx("{{ record.colour }}")).get_data(as_text=True)
    assert "абзац 1" in page and "нет поля «colour»" in page


def test_making_a_contract_on_the_page_previews_its_text_and_files_a_docx(docs_app):
    client = admin(docs_app)
    deal_id = new_deal_with_lines(docs_app)
    chosen = contract_id(docs_app)
    preview = client.get(f"/documents/make/deal/{deal_id}?template={chosen}").get_data(as_text=True)
    assert "Монтаж окон" in preview and "Generate DOCX" in preview
    token = csrf_token(client, f"/documents/make/deal/{deal_id}?template={chosen}")
    response = client.post(f"/documents/make/deal/{deal_id}", data={"csrf_token": token, "template": chosen})
    assert response.status_code == 302
    assert "ДГ-" in client.get("/document/?q=ДГ-").get_data(as_text=True)
