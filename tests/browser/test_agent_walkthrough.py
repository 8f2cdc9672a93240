"""An agent's first hour in crmkit, in a real browser and in their language: they add an
organisation and a person (and are warned about a duplicate), log a call, schedule a task, find
it in My day, then merge the duplicate and undo the merge."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in, tr
from tests.conftest import add_user

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "dana@example.com", "a long enough password"
PERSON_PAGE = re.compile(r"/person/(\d+)$")


def shot(page, locale, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"walkthrough-{locale}-{name}.png", full_page=True)


def person_id(page) -> int:
    page.wait_for_url(PERSON_PAGE)
    return int(PERSON_PAGE.search(page.url).group(1))


def field(page, label: str):
    """A form field by its label, which ends in `*` when the field is required."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}( \*)?\s*$"))


def quick_form(page, summary: str):
    details = page.locator("#timeline details.tl-quick-form", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details.locator("form")


@pytest.mark.parametrize("locale", ["en", "ru"])
def test_an_agent_works_a_new_client_from_first_call_to_merged_duplicate(live_server, live_app, new_page, locale):
    add_user(live_app, AGENT, PASSWORD, role="agent", name="Dana", timezone="Asia/Almaty", locale=locale)
    t = lambda msgid, **params: tr(locale, msgid, **params)  # noqa: E731 - reads like the page
    page = new_page(locale)
    log_in(page, live_server.url, AGENT, PASSWORD)

    # an organisation, then a person who works there
    page.locator("nav").get_by_role("link", name=t("Organisations")).click()
    page.get_by_role("link", name=t("New"), exact=True).click()
    field(page, t("Name")).fill("ТОО Алтын Құрылыс")
    field(page, t("Client")).check()
    page.get_by_role("button", name=t("Save"), exact=True).click()
    page.wait_for_url(re.compile(r"/organization/\d+$"))
    page.get_by_role("link", name=t("Add person")).click()
    expect(field(page, t("Organisation")).locator("option:checked")).to_have_text("ТОО Алтын Құрылыс")
    field(page, t("Full name")).fill("Серикбаев Нурлан Ержанович")
    field(page, t("Phone")).fill("8 (701) 123-45-67")
    field(page, t("Position")).fill("Директор")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    kept = person_id(page)
    expect(page.locator("main")).to_contain_text("+7 701 123 45 67")

    # the same man typed in again: a warning, then saved anyway
    page.goto(f"{live_server.url}/person/new")
    field(page, t("Full name")).fill("Нурлан Серикбаев")
    field(page, t("Phone")).fill("+7 701 123 45 67")
    page.get_by_role("button", name=t("Save"), exact=True).click()
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text(t("This looks like a record that already exists"))
    expect(warning.get_by_role("link", name="Серикбаев Нурлан Ержанович")).to_have_attribute("href", f"/person/{kept}")
    shot(page, locale, "duplicate-warning")
    page.get_by_role("button", name=t("Save anyway")).click()
    duplicate = person_id(page)

    # a call and a task on the first one's timeline
    page.goto(f"{live_server.url}/person/{kept}")
    call = quick_form(page, t("Log call"))
    expect(call.get_by_label(t("Their phone"))).to_have_value("+7 701 123 45 67")
    call.get_by_label(t("Outcome")).select_option("answered")
    call.get_by_label(t("Duration"), exact=True).fill("2:30")
    call.get_by_label(t("Note")).fill("Ждёт коммерческое предложение")
    call.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator(".flash-success")).to_have_text(t("Call logged."))
    expect(page.locator("#timeline .tl-entry").first).to_contain_text("Ждёт коммерческое предложение")

    today = datetime.now(ZoneInfo("Asia/Almaty")).date()
    task = quick_form(page, t("Schedule task"))
    task.get_by_label(t("What needs doing")).fill("Отправить КП")
    task.get_by_label(t("Due")).fill(f"{today.isoformat()}T23:59")
    task.get_by_role("button", name=t("Save"), exact=True).click()
    expect(page.locator("#timeline .tl-entry").first).to_contain_text("Отправить КП")
    shot(page, locale, "timeline")

    # the task waits in My day
    page.locator("nav").get_by_role("link", name=re.compile(re.escape(t("My day")))).click()
    expect(page.locator("#today")).to_contain_text("Отправить КП")
    shot(page, locale, "my-day")

    # the duplicate merged into the first record, then the merge undone
    page.locator("nav summary").click()
    page.locator("nav").get_by_role("link", name=t("Duplicates")).click()
    page.locator("tr.duplicate-group").get_by_role("link", name=t("Merge into %(name)s", name="Серикбаев Нурлан Ержанович")).click()
    page.get_by_role("button", name=t("Merge"), exact=True).click()
    page.wait_for_url(f"{live_server.url}/person/{kept}")
    expect(page.locator("#history")).to_contain_text(f"#{duplicate}")
    shot(page, locale, "merged")
    page.locator("#history").get_by_role("button", name=t("Undo merge")).click()
    page.wait_for_url(f"{live_server.url}/person/{kept}")
    expect(page.locator("#history").get_by_role("button", name=t("Undo merge"))).to_have_count(0)
    page.goto(f"{live_server.url}/person/{duplicate}")
    expect(page.locator("h1")).to_have_text("Нурлан Серикбаев")
    expect(page.locator("h1 .badge")).to_have_count(0)  # not archived: it is back
