"""A manager opens a report in a real browser: the chart draws under the strict CSP without
JavaScript, the filters change the table, a figure drills down to the list with the same count,
and the XLSX export holds the figures the page shows."""

from __future__ import annotations

import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from crmkit import db
from crmkit.core.access.models import Department
from tests.browser.conftest import log_in
from tests.conftest import add_user
from tests.test_reports_frame import generate

pytestmark = pytest.mark.browser
PASSWORD = "a long enough password"


def sales_team(app) -> dict[str, int]:
    with app.app_context():
        session = db.session()
        sales, support = Department(name="Sales"), Department(name="Support")
        session.add_all([sales, support])
        session.commit()
        sales_id, support_id = sales.id, support.id
    boss = add_user(app, "boss@example.com", PASSWORD, role="manager", name="Dana", department_id=sales_id, locale="en").id
    north = add_user(app, "north@example.com", PASSWORD, role="agent", name="Arman", department_id=sales_id).id
    support_agent = add_user(app, "support@example.com", PASSWORD, role="agent", name="Saule", department_id=support_id).id
    return {"boss": boss, "north": north, "support": support_agent}


def figures(page) -> dict[str, int]:
    rows = page.locator(".report-table tbody tr")
    found = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        found[row.locator("th").inner_text().strip()] = int(re.sub(r"\D", "", row.locator("td").first.inner_text()))
    return found


def test_a_manager_filters_a_report_drills_down_and_exports_it(live_server, live_app, new_page, tmp_path):
    generate(live_app, sales_team(live_app))
    page = new_page(locale="en")
    blocked = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None)
    log_in(page, live_server.url, "boss@example.com", PASSWORD)

    page.locator("nav").get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="New clients: organizations").click()
    expect(page.locator("h1")).to_have_text("New clients: organizations")
    chart = page.locator(".report-chart img")
    expect(chart).to_be_visible()
    assert page.evaluate("img => img.complete && img.naturalWidth > 0", chart.element_handle())

    page.get_by_label("Period").select_option("all")
    page.get_by_label("Group by").select_option("owner")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=all.*by=owner|by=owner.*period=all"))
    shown = figures(page)
    assert set(shown) <= {"Dana", "Arman"} and shown, shown  # a manager sees the Sales department only
    total = int(re.sub(r"\D", "", page.locator(".report-table tfoot td").first.inner_text()))
    assert total == sum(shown.values())

    name, figure = next(iter(shown.items()))
    page.locator(".report-table tbody tr", has_text=name).locator("td a").first.click()
    page.wait_for_url(re.compile(r"/organization/\?"))
    expect(page.locator(".page-head p.muted")).to_contain_text(f"{figure} record")
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    saved = tmp_path / "report.xlsx"
    download.value.save_as(saved)
    sheet = load_workbook(saved).active
    exported = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert {k: v for k, v in exported.items() if k in shown} == shown
    assert exported["Total"] == total
    assert not blocked, blocked
