"""Word templates in a real browser: an admin uploads the sales contract's .docx as a template; a
manager opens their deal, creates the contract from it, downloads the .docx (its text holds the
deal's lines, the total in words and the number) and finds it in the archive."""

from __future__ import annotations

import pytest

from crmkit.core.documents import contract, word
from tests.browser.conftest import TEST_SECRET, expect, log_in
from tests.documents.conftest import new_deal_with_lines

pytestmark = pytest.mark.browser
MANAGER, PASSWORD = "dana@example.com", "Steppe-Horse-Tulip-41"


@pytest.fixture
def live_app(make_app):
    from crmkit.testing.accounts import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    add_user(app, MANAGER, PASSWORD, role="manager", name="Dana Manager")
    return app


def test_an_admin_uploads_a_word_contract_and_a_manager_makes_downloads_and_finds_it(live_server, live_app, new_page, tmp_path):
    template_file = tmp_path / "sales-contract-ru.docx"
    template_file.write_bytes(contract.build("ru"))
    admin = new_page()
    log_in(admin, live_server.url)
    admin.goto(f"{live_server.url}/documents/templates/new")
    admin.get_by_label("Name").fill("Sales contract")
    admin.get_by_label("Records").select_option(label="Deals")
    admin.get_by_label("Document type").select_option("contract")
    admin.get_by_label("Kind of template").select_option("docx")
    admin.locator("#f-docx").set_input_files(str(template_file))
    admin.get_by_role("button", name="Save").click()
    expect(admin.locator("main")).to_contain_text("Template saved.")
    expect(admin.locator("main")).to_contain_text("sales-contract-ru.docx")

    deal_id = new_deal_with_lines(live_app, user_id=2)
    manager = new_page()
    log_in(manager, live_server.url, MANAGER, PASSWORD)
    manager.goto(f"{live_server.url}/deal/{deal_id}")
    manager.get_by_role("link", name="Create document").click()
    manager.locator("#f-template").select_option(label="Sales contract · Contract · RU")
    manager.get_by_role("button", name="Preview").click()
    expect(manager.locator(".document-text-preview")).to_contain_text("Монтаж окон")
    manager.get_by_role("button", name="Generate DOCX").click(no_wait_after=True)
    expect(manager.locator("main")).to_contain_text("ДГ-", timeout=30_000)
    number = "ДГ-" + manager.locator("main").inner_text().split("ДГ-", 1)[1][:9]
    with manager.expect_download() as download:
        manager.locator(".document-file a.button").click()
    assert download.value.suggested_filename == f"{number}.docx"
    path = tmp_path / "contract.docx"
    download.value.save_as(path)
    text = " ".join(word.text_of(path.read_bytes())).replace("\xa0", " ")
    assert f"Договор купли-продажи № {number}" in text
    assert "481 600,56" in text and "Четыреста восемьдесят одна тысяча шестьсот тенге 56 тиынов" in text
    assert "Dana Manager" in text

    manager.goto(f"{live_server.url}/documents/")
    row = manager.get_by_role("row").filter(has=manager.get_by_role("link", name=number))
    expect(row).to_contain_text("Contract: Окна для ТОО «Ромашка»")
    expect(row).to_contain_text("481,600.56")
