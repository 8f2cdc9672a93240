"""An admin finds the plugins page in the navigation and reads what each plugin brings."""

from __future__ import annotations

import re

import pytest

import crmkit
from crmkit.plugins import builtin_plugins, hooks_of
from tests.browser.conftest import add_user, log_in, tr

pytestmark = pytest.mark.browser


def table_rows(page) -> list[dict[str, str]]:
    """The page's table as a person reads it: each row's cells under their column headings."""
    headings = page.locator("table thead th").all_inner_texts()
    rows = [row.locator("td").all_inner_texts() for row in page.locator("table tbody tr").all()]
    return [dict(zip(headings, cells, strict=True)) for cells in rows]


def test_admin_opens_plugins_from_the_navigation(live_server, browser_page):
    page = browser_page
    log_in(page, live_server.url)
    page.locator("nav summary", has_text=tr("en", "Administration")).click()  # administration sits in its menu
    page.locator("nav").get_by_role("link", name=tr("en", "Plugins"), exact=True).click()
    page.wait_for_url(re.compile(r"/admin/plugins$"))
    assert page.locator("h1").inner_text().startswith(tr("en", "Plugins"))
    assert page.locator("nav a[aria-current=page]").text_content().strip() == tr("en", "Plugins")

    rows = {row[tr("en", "Name")]: row for row in table_rows(page)}
    builtins = builtin_plugins()
    assert builtins, "crmkit has built-in plugins"
    for plugin in builtins:
        row = rows.get(plugin.name)
        assert row is not None, f"no row for {plugin.name}; rows: {sorted(rows)}"
        assert row[tr("en", "Version")] == crmkit.__version__
        assert row[tr("en", "Kind")] == tr("en", "built-in")
        assert row[tr("en", "State")].strip() == tr("en", "enabled")
        assert row[tr("en", "Hooks")].split(", ") == hooks_of(plugin), f"hooks of {plugin.name}"
    switches = page.locator("table tbody tr").filter(has_text=tr("en", "built-in")).locator("button")
    assert switches.count() == 0, "built-ins can't be switched off"


def test_plugins_page_is_for_admins_only(live_server, live_app, browser_page):
    add_user(live_app, "agent@example.com", "agent password 123", name="Agent")
    page = browser_page
    log_in(page, live_server.url, "agent@example.com", "agent password 123")
    assert page.locator("nav").get_by_role("link", name=tr("en", "Plugins")).count() == 0
    response = page.goto(f"{live_server.url}/admin/plugins")
    assert response.status == 403
    assert page.locator("h1").inner_text() == tr("en", "You do not have access to this page")
    assert page.locator("table").count() == 0
