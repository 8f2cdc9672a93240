"""An admin sets a target on the grid in a real browser and finds it in plan and fact; the calls
heatmap draws in Kazakh without JavaScript; the home page unpins and pins a widget."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from datetime import UTC, datetime, timedelta

from tests.browser.conftest import log_in
from tests.conftest import ADMIN_EMAIL
from tests.pipelining import acting_as

pytestmark = pytest.mark.browser


def test_a_target_typed_on_the_grid_shows_in_plan_and_fact(live_server, live_app, new_page):
    page = new_page(locale="en")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/targets/")
    cell = page.locator("tr.employee input").nth(11)  # the admin's December
    cell.fill("1 250 000,50")
    page.get_by_role("button", name="Save targets").click()
    expect(page.locator(".flash, [role=status], .messages").first).to_contain_text("1 change")
    year = page.locator("h1").inner_text().split()[-1]
    page.goto(f"{live_server.url}/reports/plan_fact/?period=custom&start={year}-12-01&end={year}-12-31")
    expect(page.locator(".report-table tbody tr").first).to_contain_text("1,250,000.50")


def test_the_calls_heatmap_draws_in_kazakh_and_a_cell_lists_its_calls(live_server, live_app, new_page):
    start = datetime(2024, 3, 4, 4, 10, tzinfo=UTC)  # a Monday, 09:10 in Almaty
    with acting_as(live_app, ADMIN_EMAIL, "activity") as records:
        for n in range(25):
            records.create({"kind": "call", "outcome": ("answered", "missed")[n % 2],
                            "happened_at": (start + timedelta(days=n % 5, hours=n % 8)).isoformat()})
    page = new_page(locale="kk")
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/reports/calls_heatmap/?period=all")
    expect(page.locator("h1")).to_have_text("Қоңыраулар сағаттар мен апта күндері бойынша")
    expect(page.locator("svg.heatmap text", has_text="дс").first).to_be_visible()  # Monday
    total = page.locator(".report-table tfoot a").first
    count = int(total.inner_text().replace("\u00a0", "").replace(" ", ""))
    total.click()
    expect(page.locator("table tbody tr")).to_have_count(count)


def test_a_widget_unpinned_from_home_can_be_pinned_back(live_server, live_app, new_page):
    page = new_page(locale="en")
    log_in(page, live_server.url)
    overdue = page.locator('[data-widget="home.overdue"]')
    expect(overdue).to_be_visible()
    overdue.get_by_role("button", name="Unpin").click()
    expect(overdue).to_have_count(0)
    page.get_by_label("Pin a widget or a saved report").select_option("home.overdue")
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(page.locator('[data-widget="home.overdue"]')).to_be_visible()
