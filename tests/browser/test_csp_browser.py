"""Under crmkit's strict Content-Security-Policy, a real browser reports no violation on the main
pages, and their scripts still work: the record picker suggests, Swagger UI runs API calls."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines.setup import create_pipeline
from crmkit.core.records import links
from crmkit.entities.service import Records
from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, expect, log_in
from tests.conftest import add_user

pytestmark = pytest.mark.browser
WATCH_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCsp(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} in ${event.sourceFile}:${event.lineNumber}`);
});
"""
MAIN_PAGES = {
    "home": "/",
    "list": "/person/",
    "record page with its timeline": "/person/1",
    "record form with the picker": "/person/1/edit",
    "timeline page": "/timeline/person/1",
    "my day": "/my-day",
    "calendar": "/calendar",
    "import": "/transfer/person/import",
    "vCard import": "/contacts/vcard/import",
    "offices and departments": "/admin/org",
    "API docs": "/api/v1/docs",
    "API tokens": "/account/tokens/",
    "account": "/account/",
    "deals board": "/pipelines/board",
    "a pipeline's setup, with colour swatches": "/admin/pipelines/1",
}


@pytest.fixture
def live_app(make_app, monkeypatch):
    """Three organisations (past a select's limit of two, so link fields get the picker), a person
    linked to one, a task due today about her, and a pipeline of deals."""
    monkeypatch.setattr(links, "SELECT_UP_TO", 2)
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin", locale="en")
    today = datetime.now(ZoneInfo("Asia/Almaty")).date().isoformat()
    with app.test_request_context():
        session = db.session()
        admin = session.get(User, 1)
        entities = app.extensions["crmkit"].entities
        organizations = Records(entities.get("organization"), admin, session)
        ids = [organizations.create({"name": name}).id for name in ("ТОО Алтын Құрылыс", "АО Береке", "ТОО Самал")]
        Records(entities.get("person"), admin, session).create({"name": "Aigerim Bekova", "organization_id": ids[1]})
        Records(entities.get("activity"), admin, session).create(
            {"kind": "task", "subject": "Send the offer", "happened_at": f"{today}T12:00", "about_entity": "person", "about_id": 1}
        )
        create_pipeline(session, {"en": "Sales", "ru": "Продажи", "kk": "Сату"})
    return app


@pytest.fixture
def watched_page(browser_page):
    """A page that collects every CSP violation and script error, across navigations."""
    page = browser_page
    page.problems = []
    page.expose_function("reportCsp", lambda text: page.problems.append(f"securitypolicyviolation: {text}"))
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda message: "Content Security Policy" in message.text and page.problems.append(message.text))
    page.on("pageerror", lambda error: page.problems.append(f"script error: {error}"))
    return page


def test_the_main_pages_load_without_a_csp_violation_or_script_error(live_server, watched_page):
    page = watched_page
    log_in(page, live_server.url)
    seen = {}
    for name, path in MAIN_PAGES.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, (name, response.status)
        assert "script-src 'self'" in response.headers["content-security-policy"], name
        page.wait_for_load_state("networkidle")
        seen[name], page.problems[:] = list(page.problems), []
    assert seen == {name: [] for name in MAIN_PAGES}


def test_the_timeline_and_my_day_are_styled_by_their_stylesheets(live_server, watched_page):
    page = watched_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/person/1")
    entry = page.locator("#timeline .tl-entry").first
    expect(entry).to_have_css("border-left-style", "solid")  # from timeline.css, no longer inline
    page.goto(live_server.url + "/my-day")
    expect(page.locator(".myday")).to_have_css("display", "grid")  # from myday.css
    assert page.problems == []


def test_the_picker_suggests_and_picks_under_the_csp(live_server, watched_page):
    page = watched_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/person/1/edit")
    box = page.get_by_role("combobox", name="Organisation")
    box.fill("")
    box.press_sequentially("алт")
    suggestions = page.get_by_role("listbox", name="Organisation").get_by_role("option")
    expect(suggestions).to_have_text(["ТОО Алтын Құрылыс"])
    box.press("ArrowDown")
    box.press("Enter")
    expect(page.locator("input[type=hidden][name=organization_id]")).to_have_value("1")
    assert page.problems == []


def test_swagger_ui_shows_the_api_and_runs_a_call_under_the_csp(live_server, watched_page):
    page = watched_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/api/v1/docs")
    operation = page.locator(".opblock-get", has=page.locator("[data-path='/api/v1/person']")).first
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("Aigerim Bekova")
    assert page.problems == []
