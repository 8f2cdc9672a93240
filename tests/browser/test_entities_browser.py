"""A person works with an entity's pages in a real browser: list and filter, a form with errors,
an edit conflict between two people, a saved view, and a custom field added by the admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, TEST_SECRET, log_in
from tests.plugins.projects import hooks as projects

pytestmark = pytest.mark.browser
LIST = "/projects/project/"


@pytest.fixture
def live_app(make_app):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(plugins=[projects], TESTING=False, SECRET_KEY=TEST_SECRET)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    return app


def seed(app, *rows):
    """Records made through the same service the pages use, owned by the admin."""
    with app.app_context():
        session = db.session()
        admin = session.get(User, 1)
        entity = app.extensions["crmkit"].entities.get("projects.project")
        for row in rows:
            Records(entity, admin, session).create(row)


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"entities-{name}.png", full_page=True)


def row_names(page):
    return page.locator("table tbody tr td:nth-child(2)").all_inner_texts()


def test_a_user_filters_the_list(live_server, live_app, browser_page):
    seed(live_app, {"name": "Flat on Abay", "status": "active", "budget": "1500"}, {"name": "House in Medeu"}, {"name": "Office on Dostyk", "status": "done"})
    page = browser_page
    log_in(page, live_server.url)
    page.locator("nav").get_by_role("link", name="Projects").click()
    expect(page.locator("h1")).to_have_text("Projects")
    assert sorted(row_names(page)) == ["Flat on Abay", "House in Medeu", "Office on Dostyk"]
    page.locator("form.filters select[name=status]").select_option("active")
    page.locator("form.filters").get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"status=active"))
    assert row_names(page) == ["Flat on Abay"]
    shot(page, "list")


def test_a_user_fixes_a_form_after_a_validation_error(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + LIST + "new")
    page.get_by_label("Budget").fill("-5")
    page.get_by_label("Contact email").fill("not-an-email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_have_count(3)
    expect(page.get_by_label("Contact email")).to_have_value("not-an-email")
    shot(page, "form-errors")
    page.get_by_label("Name").fill("Flat on Abay")
    page.get_by_label("Budget").fill("1500")
    page.get_by_label("Contact email").fill("buyer@example.com")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/projects/project/\d+$"))
    expect(page.locator("h1")).to_have_text("Flat on Abay")
    expect(page.locator(".fields")).to_contain_text("buyer@example.com")


def test_two_people_editing_one_record_the_second_sees_both_versions(live_server, live_app, new_page):
    seed(live_app, {"name": "Flat on Abay", "budget": "1000"})
    first, second = new_page(), new_page()
    for page in (first, second):
        log_in(page, live_server.url)
        page.goto(live_server.url + LIST + "1/edit")
    first.get_by_label("Budget").fill("1100.00")
    first.get_by_role("button", name="Save").click()
    first.wait_for_url(re.compile(r"/projects/project/1$"))
    second.get_by_label("Budget").fill("900.00")
    response = None
    with second.expect_response(lambda r: r.request.method == "POST") as info:
        second.get_by_role("button", name="Save").click()
    response = info.value
    assert response.status == 409
    conflict = second.locator(".conflict")
    expect(conflict).to_contain_text("Someone else saved this record")
    changed = conflict.locator("tr.differs")
    expect(changed).to_have_count(1)
    assert changed.locator("td").all_inner_texts() == ["Budget", "1100.00", "900.00"]
    shot(second, "conflict")
    first.reload()
    expect(first.locator(".fields")).to_contain_text("1,100.00")  # grouped in the page's language


def test_a_user_saves_a_view_and_applies_it_later(live_server, live_app, browser_page):
    seed(live_app, {"name": "Flat on Abay", "status": "active"}, {"name": "House in Medeu"})
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + LIST + "?status=active")
    page.locator("summary", has_text="Save this view").click()
    page.locator("details.save-view").get_by_role("textbox", name="Name").fill("Active projects")
    page.get_by_label("Share with everyone").check()
    page.get_by_role("button", name="Save view").click()
    expect(page.locator(".flash-success")).to_contain_text("Active projects")
    page.goto(live_server.url + LIST)
    assert len(row_names(page)) == 2
    page.locator(".saved-views select[name=view]").select_option(label="Active projects (shared)")
    page.locator(".saved-views").get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"applied=1"))
    assert row_names(page) == ["Flat on Abay"]


def test_an_admin_adds_a_custom_field_and_a_user_fills_it(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.locator("nav details.nav-menu-admin summary").click()  # administration sits in its menu
    page.locator("nav").get_by_role("link", name="Fields").click()
    page.get_by_label("Entity").select_option("projects.project")
    page.get_by_label("Label").fill("Region")
    page.get_by_label("Name", exact=True).fill("region")
    page.get_by_label("Type").select_option("choice")
    page.get_by_label("Choices").fill("Almaty, Astana")
    page.get_by_role("button", name="Add the field").click()
    expect(page.locator("table")).to_contain_text("custom.region")
    page.goto(live_server.url + LIST + "new")
    page.get_by_label("Name").fill("Flat on Abay")
    page.locator("fieldset", has_text="Custom fields").get_by_label("Region").select_option("Astana")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/projects/project/\d+$"))
    expect(page.locator("dl[data-group=custom]")).to_contain_text("Astana")
    shot(page, "detail")
