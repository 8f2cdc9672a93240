"""A person types into the top bar's search box and opens a record from the grouped results."""

from __future__ import annotations

import pytest

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, TEST_SECRET, expect, log_in
from tests.plugins.phonebook import hooks as phonebook

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(make_app):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(plugins=[phonebook], TESTING=False, SECRET_KEY=TEST_SECRET, CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("phonebook.person")
        records = Records(entity, session.get(User, 1), session)
        records.create({"name": "Иванов Пётр", "phone": "+77011234567", "email": "ivanov@example.com"})
        records.create({"name": "Сидорова Анна", "phone": "+77027654321"})
    return app


def test_a_phone_fragment_typed_in_the_top_bar_finds_the_person(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    box = page.locator("header form[role=search] input[name=q]")
    box.fill("701 123")
    box.press("Enter")
    results = page.locator("section.search-group[data-entity='phonebook.person'] li a")
    expect(results).to_have_count(1)
    expect(results).to_have_text("Иванов Пётр")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "search-results.png", full_page=True)
    results.click()
    expect(page.locator("h1")).to_contain_text("Иванов Пётр")
