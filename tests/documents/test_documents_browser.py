"""The done-when of documents in a real browser: from a deal with line items, Create document →
pick the commercial offer → preview → Generate PDF; find it in the archive by its number,
download it, render its pages to PNG and read the computed total and the total in words in it."""

from __future__ import annotations

import io

import pypdfium2
import pytest
from pypdf import PdfReader

from crmkit import db
from crmkit.core.documents import defaults
from tests.browser.conftest import TEST_SECRET, expect, log_in
from tests.documents.conftest import new_deal_with_lines

pytestmark = pytest.mark.browser
PDF_MS = 60_000  # WeasyPrint's first PDF in a process loads the fonts: seconds on a busy machine


@pytest.fixture
def live_app(make_app):
    from crmkit.testing.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    with app.app_context():
        defaults.install(db.session())
        db.session().commit()
    return app


def pages_as_png(pdf: bytes) -> list[bytes]:
    document = pypdfium2.PdfDocument(pdf)
    images = []
    for index in range(len(document)):
        out = io.BytesIO()
        document[index].render(scale=1.5).to_pil().save(out, "PNG")
        images.append(out.getvalue())
    return images


def test_a_commercial_offer_made_from_a_deal_is_found_in_the_archive_and_downloaded(live_server, live_app, new_page, tmp_path):
    deal_id = new_deal_with_lines(live_app)
    page = new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/deal/{deal_id}")
    page.get_by_role("link", name="Create document").click()
    page.locator("#f-template").select_option(label=f"{defaults.NAMES['ru']} · Commercial offer · RU")
    page.get_by_role("button", name="Preview").click()
    expect(page.frame_locator("iframe.document-preview").locator("body")).to_contain_text("Монтаж окон")
    page.get_by_role("button", name="Generate PDF").click(no_wait_after=True)
    expect(page.locator("main")).to_contain_text("КП-", timeout=PDF_MS)
    number = page.locator("main").inner_text().split("КП-", 1)[1][:9]

    page.goto(f"{live_server.url}/documents/")
    page.locator("input[name=q]").fill(f"КП-{number}")
    page.locator("input[name=q]").press("Enter")
    page.get_by_role("link", name="Commercial offer: Окна для ТОО «Ромашка»").first.click()
    with page.expect_download() as download:
        page.locator(".document-file a.button").click()
    path = tmp_path / "offer.pdf"
    download.value.save_as(path)
    pdf = path.read_bytes()

    images = pages_as_png(pdf)
    assert images and all(image.startswith(b"\x89PNG") and len(image) > 10_000 for image in images)
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    text = text.replace("\xa0", " ").replace("\u202f", " ")
    assert f"КП-{number}" in text
    assert "481 600,56" in text
    assert "Четыреста восемьдесят одна тысяча шестьсот тенге 56 тиынов" in text
