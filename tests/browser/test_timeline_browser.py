"""A person works a contact's timeline in a real browser: logs a call and a note from the person's
page, sees them newest first, schedules a task and marks it done."""

from __future__ import annotations

import re

import pytest

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, TEST_SECRET, expect, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(make_app):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("person")
        Records(entity, session.get(User, 1), session).create({"name": "Aigerim Bekova", "phone": "+77011234567"})
    return app


def quick_form(page, summary: str):
    """Open one of the timeline's quick entry forms by its summary and return the form."""
    details = page.locator("#timeline details.tl-quick-form", has=page.locator("summary", has_text=summary))
    details.locator("summary").click()
    return details.locator("form")


def kinds_shown(page) -> list[str]:
    return [entry.get_attribute("data-kind") for entry in page.locator("#timeline .tl-entry").all()]


def test_a_user_logs_a_call_and_a_note_and_sees_them_newest_first(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/person/1")
    call = quick_form(page, "Log call")
    expect(call.get_by_label("Their phone")).to_have_value("+7 701 123 45 67")
    call.get_by_label("Outcome").select_option("no_answer")
    call.get_by_label("Duration").fill("0:40")
    call.get_by_label("Note").fill("Asked to call back after lunch")
    call.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/person/1$"))
    expect(page.locator(".flash-success")).to_have_text("Call logged.")

    note = quick_form(page, "Add note")
    note.get_by_label("Note").fill("Prefers WhatsApp")
    note.get_by_role("button", name="Save").click()
    expect(page.locator(".flash-success")).to_have_text("Note added.")
    expect(page.locator("#timeline .tl-entry")).to_have_count(3)  # the page may still be arriving

    assert kinds_shown(page) == ["note", "call", "change"]
    newest, called = page.locator("#timeline .tl-entry").nth(0), page.locator("#timeline .tl-entry").nth(1)
    expect(newest).to_contain_text("Prefers WhatsApp")
    expect(called).to_contain_text("No answer")
    expect(called).to_contain_text("0:40")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "timeline-panel.png", full_page=True)
    called.get_by_role("link", name="Call").click()
    expect(page.locator(".tl-about")).to_contain_text("Aigerim Bekova")


def test_a_user_schedules_a_task_and_marks_it_done(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/person/1")
    task = quick_form(page, "Schedule task")
    task.get_by_role("button", name="Save").click()
    expect(page.locator("details.tl-quick-form[data-kind=task] .errors")).to_have_count(2)
    task = page.locator("details.tl-quick-form[data-kind=task] form")
    task.get_by_label("What needs doing").fill("Send the offer")
    task.get_by_label("Due").fill("2030-01-10T10:00")
    task.get_by_label("Priority").select_option("high")
    task.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/person/1$"))
    entry = page.locator("#timeline .tl-entry").first
    expect(entry).to_contain_text("Send the offer")
    expect(entry).to_contain_text("High")
    entry.get_by_role("button", name="Done").click()
    page.wait_for_url(re.compile(r"/person/1$"))
    expect(page.locator(".flash-success")).to_have_text("Task done.")
    entry = page.locator("#timeline .tl-entry").first
    expect(entry.locator("dd", has_text=re.compile("^Done$"))).to_have_count(1)
    expect(entry.get_by_role("button", name="Done")).to_have_count(0)
