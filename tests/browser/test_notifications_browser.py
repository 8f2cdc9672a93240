"""The bell in a real browser: a notification sent while the page is open appears in the count
(the script polls), the dropdown lists it, opening it marks it read and the count drops; without
scripts the bell is a link to the notifications page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from crmkit import api, db
from crmkit.core.auth.models import User
from tests.browser.conftest import LiveServer, log_in
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, add_user

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(make_app):
    """The live app with a bell that asks for its count every second."""
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET, NOTIFICATIONS_POLL_SECONDS=1, SMTP_HOST=None)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin", locale="en")
    return app


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


def notify(app, title, url="/my-day"):
    with app.app_context():
        admin = db.session().execute(select(User).where(User.email == ADMIN_EMAIL)).scalar_one()
        api.notify(admin, title, url=url)
        db.session().commit()


def test_a_notification_appears_under_the_bell_and_the_count_drops_when_it_is_read(live_app, live_server, new_page):
    page = new_page("en", viewport={"width": 1366, "height": 900})
    log_in(page, live_server.url)
    count = page.locator(".bell-count")
    expect(count).to_be_hidden()

    notify(live_app, "Deal «Abay 12» moved to Negotiation")
    expect(count).to_have_text("1")  # the script's next poll
    expect(page.locator(".bell-link")).to_have_attribute("aria-label", "Notifications, unread: 1")

    page.locator(".bell-link").click()
    item = page.locator(".bell-menu").get_by_role("button", name="Deal «Abay 12» moved to Negotiation")
    expect(item).to_be_visible()
    item.click()
    page.wait_for_url(f"{live_server.url}/my-day")
    expect(page.locator(".bell-count")).to_be_hidden()

    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("#notifications li.notification")).to_have_count(1)
    expect(page.locator("#notifications li.unread")).to_have_count(0)


def test_without_scripts_the_bell_is_a_link_to_the_notifications_page(live_app, live_server, new_page):
    notify(live_app, "Call Dana back")
    notify(live_app, "Send the offer")
    page = new_page("en", java_script_enabled=False, viewport={"width": 1366, "height": 900})
    log_in(page, live_server.url)
    expect(page.locator(".bell-count")).to_have_text("2")
    page.locator(".bell-link").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    expect(page.locator("#notifications li.unread")).to_have_count(2)
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".bell-count")).to_be_hidden()
    expect(page.locator("#notifications li.unread")).to_have_count(0)
