"""An agent plans their day in a real browser: schedules a task due today from the activity form,
finds it on My day (with the count in the navigation), marks it done and sees it leave the list."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, log_in
from tests.conftest import add_user

pytestmark = pytest.mark.browser
AGENT, PASSWORD = "agent@example.com", "a long enough password"


def test_an_agent_schedules_a_task_for_today_and_marks_it_done(live_server, live_app, browser_page):
    add_user(live_app, AGENT, PASSWORD, role="agent", name="Aigerim", timezone="Asia/Almaty", locale="en")
    today = datetime.now(ZoneInfo("Asia/Almaty")).date()  # the agent's day, whatever the browser's zone
    page = browser_page
    log_in(page, live_server.url, AGENT, PASSWORD)

    page.locator("nav").get_by_role("link", name="My day").click()
    expect(page.locator("h1")).to_have_text("My day")
    expect(page.locator("#today")).to_contain_text("No tasks due today.")
    page.get_by_role("link", name="New task").click()
    expect(page.get_by_label("Kind")).to_have_value("task")
    page.get_by_label("Subject").fill("Send the offer to Dana")
    page.get_by_label("When").fill(f"{today.isoformat()}T12:00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/activity/\d+$"))

    my_day = page.locator("nav").get_by_role("link", name=re.compile("My day"))
    expect(my_day.locator(".badge")).to_contain_text("1")
    my_day.click()
    today_list = page.locator("#today")
    expect(today_list).to_contain_text("Send the offer to Dana")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "myday-today.png", full_page=True)

    today_list.get_by_role("button", name="Mark “Send the offer to Dana” done").click()
    expect(page.locator(".flash-success")).to_contain_text("Done: Send the offer to Dana")
    expect(today_list).not_to_contain_text("Send the offer to Dana")
    expect(today_list).to_contain_text("No tasks due today.")
    expect(page.locator("nav").get_by_role("link", name="My day", exact=True).locator(".badge")).to_have_count(0)
