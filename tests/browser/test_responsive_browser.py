"""The layout at a laptop's 1366 px and a phone's 390 px, in Russian, for an admin and an agent
with a long Cyrillic full name: the top bar is one line on the laptop and a menu button on the
phone (with and without JavaScript), lists become cards on the phone, and no main page is wider
than the screen. Screenshots of every page at both widths go to tests/browser/artifacts/."""

from __future__ import annotations

import pytest
from flask import url_for
from playwright.sync_api import expect

from crmkit import db
from crmkit.core.pipelines.setup import create_pipeline
from crmkit.entities.service import Records
from tests.browser.conftest import ARTIFACTS, log_in, tr
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, add_user

pytestmark = pytest.mark.browser
LONG_NAME = "Нурмагамбетова Айгерим Сериковна"
AGENT, PASSWORD = "aigerim@example.com", "a long enough password"
LAPTOP, PHONE = {"width": 1366, "height": 768}, {"width": 390, "height": 844}
LOCALE = "ru"


def seed(app) -> dict[str, str]:
    """A long-named admin and agent, an organisation, a person and a deal; the main pages' addresses."""
    with app.app_context():
        session = db.session()
        admin = add_user(app, "director@example.com", PASSWORD, is_admin=True, name=LONG_NAME, locale=LOCALE)
        add_user(app, AGENT, PASSWORD, role="agent", name=LONG_NAME, locale=LOCALE)
        entities = app.extensions["crmkit"].entities
        admin = session.merge(admin)
        org = Records(entities.get("organization"), admin, session).create(
            {"name": "ТОО «Алматинская недвижимость и консалтинг»", "phone": "+7 727 250 12 34",
             "email": "office@almaty-realty.kz"})
        person = Records(entities.get("person"), admin, session).create(
            {"name": LONG_NAME, "phone": "+7 701 123 45 67", "email": "aigerim.nurmagambetova@almaty-realty.kz",
             "position": "Руководитель отдела продаж жилой недвижимости", "organization_id": org.id})
        pipeline = create_pipeline(session, {"ru": "Продажа жилья", "en": "Home sales"})
        Records(entities.get("deal"), admin, session).create(
            {"title": "Продажа трёхкомнатной квартиры в ЖК «Есентай Сити»", "organization_id": org.id,
             "pipeline_id": pipeline.id, "amount": "85000000"})
        with app.test_request_context():
            return {
                "home": url_for("home.index"),
                "people": url_for("records.person_list"),
                "organisations": url_for("records.organization_list"),
                "person": url_for("records.person_detail", record_id=person.id),
                "organisation": url_for("records.organization_detail", record_id=org.id),
                "deals": url_for("records.deal_list"),
                "activities": url_for("records.activity_list"),
                "my-day": url_for("myday.index"),
                "calendar": url_for("myday.calendar"),
                "board": url_for("pipelines_board.first"),
                "reports": url_for("reports.index"),
                "users": url_for("org.users"),
            }


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"responsive-{name}.png", full_page=True)


def overflow(page) -> int:
    """How many pixels the page is wider than the window (0 when nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.fixture
def pages(live_app):
    return seed(live_app)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
@pytest.mark.parametrize("who", ["admin", "agent"])
def test_every_main_page_fits_a_laptop_and_a_phone(live_server, pages, new_page, who, javascript):
    email = "director@example.com" if who == "admin" else AGENT
    tag = f"{who}-{'js' if javascript else 'nojs'}"
    for size, viewport in (("1366", LAPTOP), ("390", PHONE)):
        page = new_page(LOCALE, viewport=viewport, java_script_enabled=javascript)
        log_in(page, live_server.url, email, PASSWORD)
        for name, path in pages.items():
            if who == "agent" and name == "users":
                continue  # not theirs: the page answers 403
            page.goto(live_server.url + path)
            shot(page, f"{tag}-{size}-{name}")
            assert overflow(page) <= 0, f"{name} at {size} px is {overflow(page)} px wider than the window"
            if name == "reports":  # and a report: its wide table scrolls inside its card, not the page
                page.get_by_role("link", name=tr(LOCALE, "Sales funnel"), exact=True).click()
                page.wait_for_url("**/reports/*/**")
                shot(page, f"{tag}-{size}-report")
                assert overflow(page) <= 0, f"{page.url} at {size} px is {overflow(page)} px wider than the window"


@pytest.mark.parametrize("locale", ["ru", "kk", "en"])
@pytest.mark.parametrize("who", ["admin", "agent"])
def test_the_top_bar_fits_1366_px_with_a_long_name(live_server, pages, new_page, who, locale):
    """The brand, search, languages and user stay on one line; the navigation may wrap to a second."""
    page = new_page(LOCALE, viewport=LAPTOP)
    log_in(page, live_server.url, "director@example.com" if who == "admin" else AGENT, PASSWORD)
    if locale != LOCALE:
        page.locator(f".languages button[lang={locale}]").click()
        expect(page.locator("html")).to_have_attribute("lang", locale)
    bar = page.locator("header.topbar")
    shot(page, f"laptop-top-bar-{who}-{locale}")
    parts = bar.locator(".brand, .topbar-search, .languages, summary.user")
    middles = {round(box["y"] + box["height"] / 2) for box in (part.bounding_box() for part in parts.all())}
    assert max(middles) - min(middles) <= 4, f"the bar's ends are not on one line: {sorted(middles)}"
    links = bar.locator("nav > a, nav > details > summary")
    rows = {round(box["y"]) for box in (link.bounding_box() for link in links.all())}
    assert len({row // 10 for row in rows}) <= 2, f"the navigation takes more than two lines: {sorted(rows)}"
    expect(page.locator(".topbar-toggle")).to_be_hidden()
    nav = page.get_by_role("navigation", name=tr(locale, "Main"))
    expect(nav.get_by_role("link", name=tr(locale, "Deals"))).to_be_visible()
    user = bar.locator("summary.user")
    expect(user).to_have_attribute("title", LONG_NAME)
    assert user.bounding_box()["width"] < 200  # the name is cut short; the title holds all of it
    assert overflow(page) <= 0


@pytest.mark.parametrize("who", ["admin", "agent"])
def test_the_tools_and_administration_menus_are_apart(live_server, pages, new_page, who):
    page = new_page(LOCALE, viewport=LAPTOP)
    log_in(page, live_server.url, "director@example.com" if who == "admin" else AGENT, PASSWORD)
    tools = page.locator("details.nav-menu-tools")
    tools.locator("summary").click()
    expect(tools.get_by_role("link", name=tr(LOCALE, "Calendar"))).to_be_visible()
    expect(tools.get_by_role("link", name=tr(LOCALE, "Duplicates"))).to_be_visible()
    expect(tools.get_by_role("link", name=tr(LOCALE, "Users"))).to_have_count(0)
    admin_menu = page.locator("details.nav-menu-admin")
    if who == "agent":
        expect(admin_menu).to_have_count(0)  # an agent has no administration to see
        return
    admin_menu.locator("summary").click()
    expect(admin_menu.get_by_role("link", name=tr(LOCALE, "Users"))).to_be_visible()
    expect(admin_menu.get_by_role("link", name=tr(LOCALE, "Duplicates"))).to_have_count(0)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_the_menu_button_opens_the_navigation_and_log_out(live_server, pages, new_page, javascript):
    page = new_page(LOCALE, viewport=PHONE, java_script_enabled=javascript)
    log_in(page, live_server.url, AGENT, PASSWORD)
    log_out = page.get_by_role("button", name=tr(LOCALE, "Log out"))
    expect(log_out).to_be_hidden()
    toggle = page.locator(".topbar-toggle")
    expect(toggle).to_have_text(tr(LOCALE, "Menu"))
    toggle.focus()
    page.keyboard.press("Enter")  # a <summary>: the keyboard opens it as a click does
    nav = page.get_by_role("navigation", name=tr(LOCALE, "Main"))
    expect(nav.get_by_role("link", name=tr(LOCALE, "Deals"))).to_be_visible()
    expect(log_out).to_be_in_viewport()
    shot(page, f"phone-menu-{'js' if javascript else 'nojs'}")
    assert overflow(page) <= 0
    log_out.click()
    page.wait_for_url(f"{live_server.url}/login")


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_on_a_phone_a_list_is_cards_with_each_value_labelled(live_server, pages, new_page, javascript):
    page = new_page(LOCALE, viewport=PHONE, java_script_enabled=javascript)
    log_in(page, live_server.url, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(live_server.url + pages["people"])
    row = page.locator("table.cards tbody tr").first
    expect(page.locator("table.cards thead")).not_to_be_in_viewport()
    assert row.evaluate("tr => getComputedStyle(tr).display") == "block"
    phone = row.locator("td[data-label]", has_text="+7 701 123 45 67")
    expect(phone).to_have_attribute("data-label", tr(LOCALE, "Phone"))
    label = phone.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == f'"{tr(LOCALE, "Phone")}"'
    shot(page, f"phone-people-cards-{'js' if javascript else 'nojs'}")
    # the filters fold behind a button, and stay open once one is set
    filters = page.locator("details.filters-box")
    expect(filters.get_by_label(tr(LOCALE, "Segment"))).to_be_hidden()
    filters.locator("summary").click()
    filters.get_by_label(tr(LOCALE, "Segment")).select_option(index=1)
    filters.get_by_role("button", name=tr(LOCALE, "Filter")).click()
    expect(page.locator("details.filters-box")).to_have_attribute("open", "")


def test_with_javascript_one_menu_is_open_at_a_time_and_escape_closes_it(live_server, pages, new_page):
    page = new_page(LOCALE, viewport=LAPTOP)
    log_in(page, live_server.url, "director@example.com", PASSWORD)
    tools, admin_menu = page.locator("details.nav-menu-tools"), page.locator("details.nav-menu-admin")
    tools.locator("summary").click()
    admin_menu.locator("summary").click()
    expect(admin_menu).to_have_attribute("open", "")
    expect(tools).not_to_have_attribute("open", "")
    page.keyboard.press("Escape")
    expect(admin_menu).not_to_have_attribute("open", "")
    expect(admin_menu.locator("summary")).to_be_focused()
    page.locator("summary.user").click()
    page.locator("main h1").click()  # a click elsewhere closes it
    expect(page.locator("details.user-menu")).not_to_have_attribute("open", "")
