"""The login form as a person meets it: mistakes, their messages, and how the page looks."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ADMIN_EMAIL, ARTIFACTS, LANGUAGES, expect, tr

pytestmark = pytest.mark.browser


def field(page, name: str):
    """The labelled block of one form field: its input and its own error list."""
    return page.locator(f".field:has(input[name={name}])")


@pytest.mark.parametrize("browser_locale", LANGUAGES)
def test_wrong_password_shows_a_field_error_and_keeps_the_email(live_server, browser_page, browser_locale):
    page, lang = browser_page, browser_locale
    page.goto(f"{live_server.url}/login")
    page.locator("input[name=email]").fill(ADMIN_EMAIL)
    page.locator("input[name=password]").fill("not the password at all")
    page.locator("button[type=submit].primary").click()
    password = field(page, "password")
    expect(password.locator(".errors")).to_be_visible()

    assert page.url.endswith("/login")
    assert page.locator("h1").inner_text() == tr(lang, "Log in")
    assert password.locator(".errors li").all_inner_texts() == [tr(lang, "Wrong email or password.")]
    assert password.locator("input").get_attribute("aria-invalid") == "true"
    errors_id = password.locator(".errors").get_attribute("id")
    assert password.locator("input").get_attribute("aria-describedby") == errors_id
    assert password.locator("input").input_value() == "", "a typed password is never sent back"
    email = field(page, "email")
    assert email.locator(".errors").count() == 0
    assert email.locator("input").input_value() == ADMIN_EMAIL, "the typed email is kept"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"login-error-{lang}.png", full_page=True)

    page.goto(f"{live_server.url}/")
    assert "/login" in page.url, "a failed login opens nothing"


def test_empty_form_names_each_missing_field(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}/login")
    page.locator("button[type=submit].primary").click()
    expect(field(page, "email").locator(".errors")).to_be_visible()
    assert field(page, "email").locator(".errors li").all_inner_texts() == [tr("en", "Enter your email.")]
    assert field(page, "password").locator(".errors li").all_inner_texts() == [tr("en", "Enter your password.")]


@pytest.mark.parametrize("browser_locale", LANGUAGES)
def test_login_page_screenshot(live_server, browser_page, browser_locale):
    """Save the login page per language (tests/browser/artifacts/login-<lang>.png) for a look."""
    page = browser_page
    page.goto(f"{live_server.url}/login")
    page.wait_for_load_state("networkidle")
    # The stylesheet arrived and applies: the primary button wears the accent colour.
    button = page.locator("button[type=submit].primary")
    assert button.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(36, 87, 197)"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"login-{browser_locale}.png", full_page=True)
    assert page.locator("h1").inner_text() == tr(browser_locale, "Log in")
