"""Generating a commercial offer from a deal: the PDF holds the line items, the computed total and
the total in words; it is an attachment of the deal and a document of the archive, numbered;
regenerating keeps the number and makes version 2."""

from __future__ import annotations

import io

from pypdf import PdfReader

from crmkit import db
from crmkit.core.documents import generation
from crmkit.core.documents.models import Document, DocumentTemplate
from crmkit.core.files import open_blob
from crmkit.core.files.models import Attachment
from tests.documents.conftest import new_deal_with_lines, records, template_id


def generate(app, deal_id, language="ru"):
    with app.test_request_context():
        template = db.session().get(DocumentTemplate, template_id(app, language))
        deal_records = records(app, "deal")
        document = generation.generate(template, deal_records.entity, deal_records.get(deal_id), deal_records.user)
        return document.id


def pdf_text(app, document_id) -> str:
    with app.app_context():
        document = db.session().get(Document, document_id)
        with open_blob(db.session().get(Attachment, document.attachment_id)) as blob:
            reader = PdfReader(io.BytesIO(blob.read()))
        text = "\n".join(page.extract_text() for page in reader.pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")  # babel's spaces between thousands


def test_a_commercial_offer_holds_the_lines_the_total_and_the_total_in_words(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    text = pdf_text(docs_app, generate(docs_app, deal_id))
    assert "Коммерческое предложение" in text
    assert "Монтаж окон" in text and "Доставка" in text
    assert "481 600,56" in text
    assert "Четыреста восемьдесят одна тысяча шестьсот тенге 56 тиынов" in " ".join(text.split())


def test_the_kazakh_offer_spells_the_total_in_kazakh(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    text = " ".join(pdf_text(docs_app, generate(docs_app, deal_id, "kk")).split())
    assert "Коммерциялық ұсыныс" in text
    assert "Төрт жүз сексен бір мың алты жүз теңге 56 тиын" in text


def test_the_document_is_numbered_and_stored_on_the_deal(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    document_id = generate(docs_app, deal_id)
    with docs_app.app_context():
        document = db.session().get(Document, document_id)
        attachment = db.session().get(Attachment, document.attachment_id)
        assert document.number.startswith("КП-") and document.number.endswith("-0001")
        assert (document.entity, document.record_id, document.doc_version, document.status) == ("deal", deal_id, 1, "draft")
        assert str(document.total) == "481600.56" and document.organization_id is not None
        assert (attachment.entity, attachment.record_id, attachment.kind) == ("deal", deal_id, "document")
        assert attachment.content_type == "application/pdf"


def test_regenerating_keeps_the_number_and_makes_version_2(docs_app):
    deal_id = new_deal_with_lines(docs_app)
    first, second = generate(docs_app, deal_id), generate(docs_app, deal_id)
    other = generate(docs_app, new_deal_with_lines(docs_app, title="Другая сделка"))
    with docs_app.app_context():
        one, two, three = (db.session().get(Document, i) for i in (first, second, other))
        assert (one.number, one.doc_version) == (two.number, 1) and two.doc_version == 2
        assert one.attachment_id != two.attachment_id
        assert three.number.endswith("-0002")
