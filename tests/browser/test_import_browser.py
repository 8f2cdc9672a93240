"""A person imports a Russian Excel-style CSV in a real browser: upload, map columns, check, import."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, TEST_SECRET, log_in
from tests.plugins.projects import hooks as projects

pytestmark = pytest.mark.browser
CSV = "Название;Статус;Бюджет\nКвартира на Абая;active;1 500,50\nДом в Медеу;unknown;200\nОфис на Достык;planned;\n"


@pytest.fixture
def live_app(make_app):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

    app = make_app(plugins=[projects], TESTING=False, SECRET_KEY=TEST_SECRET)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    return app


def test_a_user_maps_columns_sees_the_bad_row_and_imports_the_rest(live_server, browser_page, tmp_path):
    source = tmp_path / "projects.csv"
    source.write_bytes(CSV.encode("cp1251"))
    page = browser_page
    log_in(page, live_server.url)
    page.goto(live_server.url + "/projects/project/")
    page.locator(".page-actions").get_by_role("link", name="Import").click()
    page.locator("input[type=file]").set_input_files(str(source))
    page.get_by_role("button", name="Upload and map columns").click()
    # The Russian headers don't match the English labels: the person maps them by hand.
    page.locator("select#column-0").select_option("name")
    page.locator("select#column-1").select_option("status")
    page.locator("select#column-2").select_option("budget")
    page.get_by_role("button", name="Check the rows").click()
    bad_row = page.locator("table tbody tr")
    expect(bad_row).to_have_count(1)
    expect(bad_row).to_contain_text("3")  # the row's line in the file, header being line 1
    expect(bad_row).to_contain_text("Status")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "import-check.png", full_page=True)
    page.get_by_role("button", name="Import").click()
    page.goto(live_server.url + "/projects/project/")
    names = page.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert sorted(names) == ["Квартира на Абая", "Офис на Достык"]
