"""Two-factor login in a real browser: enrol from the account page by the server-made QR code and a
code from pyotp (as a phone app would make it), keep the recovery codes, log out, log back in with
the password and then a code; in Russian, the deployment's default language."""

from __future__ import annotations

import time

import pyotp
import pytest

from tests.browser.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, ARTIFACTS, expect, log_in, tr

pytestmark = pytest.mark.browser


def code(secret: str, steps_ahead: int = 0) -> str:
    totp = pyotp.TOTP(secret)
    return totp.at(time.time() + steps_ahead * totp.interval)


@pytest.mark.parametrize("browser_locale", ["ru"])
def test_enrolling_by_qr_code_then_logging_in_with_a_code(live_server, browser_page, browser_locale):
    page, lang, url = browser_page, browser_locale, live_server.url
    refused = []  # what a Content-Security-Policy blocks shows as a console error "Refused to ..."
    page.on("console", lambda message: refused.append(message.text) if "Refused" in message.text else None)
    log_in(page, url)

    page.goto(f"{url}/account/")
    page.get_by_role("link", name=tr(lang, "Manage two-factor login")).click()
    page.get_by_role("button", name=tr(lang, "Set up two-factor login")).click()
    qr = page.locator("figure.totp-qr svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150, "big enough for a phone camera"
    secret = page.locator("code.totp-secret").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"two-factor-enrol-{lang}.png", full_page=True)
    page.get_by_label(tr(lang, "Code from your authenticator app"), exact=True).fill(code(secret))
    page.get_by_role("button", name=tr(lang, "Turn two-factor login on")).click()

    recovery = page.locator("ul.recovery-codes li")
    expect(recovery).to_have_count(10)
    assert page.locator("h2").first.inner_text() == tr(lang, "Two-factor login is on")

    page.locator(".topbar summary.user").click()  # logging out sits in the user's menu
    page.get_by_role("button", name=tr(lang, "Log out")).click()
    page.wait_for_url(f"{url}/login")
    page.locator("input[name=email]").fill(ADMIN_EMAIL)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(f"{url}/login/code")
    assert page.locator("h1").inner_text() == tr(lang, "Two-factor login")

    code_field = page.get_by_label(tr(lang, "Code from your authenticator app, or a recovery code"))
    code_field.fill("000000")
    page.get_by_role("button", name=tr(lang, "Log in")).click()
    expect(page.locator(".errors li")).to_have_text(tr(lang, "Wrong code; try the current one from your app."))
    page.goto(f"{url}/")
    assert page.url.endswith("/login/code") or "/login" in page.url, "a password alone opens nothing"

    page.goto(f"{url}/login/code")
    page.get_by_label(tr(lang, "Code from your authenticator app, or a recovery code")).fill(code(secret, steps_ahead=1))
    page.get_by_role("button", name=tr(lang, "Log in")).click()
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/account/")
    expect(page.locator("table.sessions tr.current")).to_have_count(1)
    page.screenshot(path=ARTIFACTS / f"account-sessions-{lang}.png", full_page=True)
    assert refused == [], refused
