"""In a real browser: an agent looks up who is calling, opens the person and downloads their
vCard; an admin imports a .vcf, sees the bad card named, fixes the file and imports it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from crmkit import db
from crmkit.core.auth.service import find_user
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import add_user

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "agent@example.com", "a long agent passphrase"


def make(app, entity_key, owner_email, **data):
    with app.test_request_context():
        user = find_user(db.session(), owner_email)
        return Records(app.extensions["crmkit"].entities.get(entity_key), user).create(data).id


def card(name, *lines):
    return "BEGIN:VCARD\r\nVERSION:3.0\r\n" + f"FN:{name}\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VCARD\r\n"


def test_an_agent_types_a_number_sees_the_caller_and_downloads_their_card(live_app, live_server, browser_page):
    add_user(live_app, AGENT, PASSWORD, role="agent", name="Aigul")
    org_id = make(live_app, "organization", AGENT, name="ТОО Ромашка")
    make(live_app, "person", AGENT, name="Ким Анна Сергеевна", phone="+77011234567", organization_id=org_id, position="Бухгалтер")
    page = browser_page
    log_in(page, live_server.url, AGENT, PASSWORD)
    page.locator("nav summary").click()  # tools sit in the navigation's More menu
    page.get_by_role("link", name="Who is calling").click()
    page.get_by_placeholder("Phone number").fill("8 (701) 123-45-67")
    page.get_by_role("button", name="Look up").click()
    match = page.locator(".lookup-match")
    expect(match).to_have_count(1)
    expect(match).to_contain_text("Бухгалтер")
    expect(match.get_by_role("link", name="ТОО Ромашка")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "lookup-card.png", full_page=True)
    match.get_by_role("link", name="Ким Анна Сергеевна").click()
    with page.expect_download() as download:
        page.locator(".page-actions").get_by_role("link", name="vCard").click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert "FN:Ким Анна Сергеевна" in text and "N:Ким;Анна;Сергеевна;;" in text and "ORG:ТОО Ромашка" in text


def test_an_admin_sees_the_bad_card_then_imports_the_fixed_file(live_app, live_server, browser_page, tmp_path):
    page = browser_page
    log_in(page, live_server.url)
    source = tmp_path / "contacts.vcf"
    source.write_text(card("Good Person", "TEL:+77011234567") + card("Bad Phone", "TEL:12ab"), encoding="utf-8")
    page.goto(live_server.url + "/contacts/vcard/import")
    page.locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Import").click()
    bad = page.locator("table.import-errors tbody tr")
    expect(bad).to_have_count(1)
    expect(bad).to_contain_text("Bad Phone")
    expect(bad).to_contain_text("Not a valid phone number.")
    page.screenshot(path=ARTIFACTS / "vcard-import-errors.png", full_page=True)
    source.write_text(card("Good Person", "TEL:+77011234567") + card("Fixed Phone", "TEL:8 701 765 43 21"), encoding="utf-8")
    page.locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"{live_server.url}/person/")
    expect(page.locator(".flash-success")).to_contain_text("2 created, 0 updated, 0 skipped")
    names = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == ["Fixed Phone", "Good Person"]
