"""The activity form in a real browser: choosing the kind shows its fields at once with scripts, or
after "Change kind" without them (what was typed kept); the record it is about is picked by name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.merging import create

pytestmark = pytest.mark.browser


@pytest.fixture
def dana(live_app) -> int:
    return create(live_app, "person", name="Dana Client")


def test_with_scripts_the_kind_switches_the_fields_and_the_record_is_picked_by_name(live_server, new_page, dana):
    page = new_page("en", viewport={"width": 1366, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/activity/new")
    expect(page.get_by_label("Outcome")).to_be_visible()
    expect(page.get_by_label("Priority")).to_be_hidden()
    expect(page.get_by_role("button", name="Change kind")).to_be_hidden()

    page.locator("#f-kind").select_option("task")
    expect(page.get_by_label("Priority")).to_be_visible()
    expect(page.get_by_label("Outcome")).to_be_hidden()
    page.get_by_label("Subject").fill("Send the offer")

    page.get_by_label("About").select_option("person")
    page.get_by_role("combobox", name="Record").fill("Dana")
    page.get_by_role("option", name="Dana Client").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "activity-form-task.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/activity/\d+$"))
    expect(page.locator("dl.fields")).to_contain_text("Send the offer")
    expect(page.locator("dl.fields").get_by_role("link", name="Dana Client")).to_have_attribute("href", f"/person/{dana}")


def test_without_scripts_change_kind_shows_the_kinds_fields_and_keeps_the_text(live_server, new_page, dana):
    page = new_page("en", viewport={"width": 1366, "height": 900}, java_script_enabled=False)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/activity/new")
    expect(page.get_by_label("Place")).to_be_hidden()
    page.get_by_label("Subject").fill("Viewing on Abay")
    page.locator("#f-kind").select_option("meeting")
    page.get_by_label("About").select_option("person")
    page.get_by_role("combobox", name="Record").fill("Dana Client")
    page.get_by_role("button", name="Change kind").click()

    expect(page.get_by_label("Place")).to_be_visible()
    expect(page.get_by_label("Outcome")).to_be_hidden()
    expect(page.get_by_label("Subject")).to_have_value("Viewing on Abay")
    expect(page.get_by_role("combobox", name="Record")).to_have_value("Dana Client")
    page.get_by_label("Place").fill("Abay 10")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/activity/\d+$"))
    expect(page.locator("dl.fields")).to_contain_text("Abay 10")
    expect(page.locator("dl.fields").get_by_role("link", name="Dana Client")).to_have_attribute("href", f"/person/{dana}")
