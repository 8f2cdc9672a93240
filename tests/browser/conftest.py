"""Browser tests: a real chromium (Debian's, never a downloaded one) driven by Playwright's sync API.

Fixtures:

- ``chromium``: one browser for the whole session.
- ``new_page(locale=...)``: a page in a fresh browser context (cookies, storage and
  Accept-Language of its own); ``browser_page`` is one such page in the ``browser_locale``
  language, which a test changes with ``@pytest.mark.parametrize("browser_locale", [...])``.
- ``live_server``: the ``live_app`` crmkit app (production settings, an admin, a migrated
  database of its own) served by waitress on a free loopback port in a background thread.

Without /usr/bin/chromium the browser tests are skipped with the reason, unless the CI
environment variable is set, where they fail instead: CI must never pass by skipping them.
Set CRMKIT_TEST_CHROMIUM to use another chromium binary. Failed tests leave a screenshot in
tests/browser/artifacts/.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask import Flask

from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, add_user

try:
    from playwright.sync_api import expect
except ImportError:  # require_chromium() reports it: each browser test skips, or fails under CI
    expect = None

CHROMIUM = os.environ.get("CRMKIT_TEST_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
TRANSLATIONS = Path(__file__).resolve().parents[2] / "crmkit" / "translations"
LANGUAGES = ("ru", "kk", "en")
SOURCE_LANGUAGE = "en"  # msgids are English
TIMEOUT_MS = 10_000
if expect is not None:
    expect.set_options(timeout=TIMEOUT_MS)


def in_ci() -> bool:
    """CI is set to anything but empty, 0, false or no (CI=true on every common CI service)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str):
    """Skip a browser test for a missing prerequisite, or fail it when running in CI."""
    if in_ci():
        pytest.fail(f"CI is set, so browser tests may not be skipped: {reason}", pytrace=False)
    pytest.skip(reason)


# Translations, read from the catalogs rather than hard-coded in the tests.


@cache
def catalog(lang: str):
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        return None
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def tr(lang: str, msgid: str, **params) -> str:
    """What the page should show for ``msgid`` in ``lang``, according to the catalog.

    For the source language an untranslated message shows its msgid. For any other language a
    missing catalog, a missing or empty translation, or a fuzzy one (not compiled) fails the test.
    """
    found = catalog(lang)
    message = found.get(msgid) if found is not None else None
    if message is not None and message.string and not message.fuzzy:
        text = message.string
    elif lang == SOURCE_LANGUAGE:
        text = msgid
    else:
        where = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        if found is None:
            why = "no catalog"
        else:
            why = "no entry" if message is None else "fuzzy, so not compiled" if message.fuzzy else "empty msgstr"
        pytest.fail(f"{lang}: {msgid!r} is not translated in {where} ({why})", pytrace=False)
    return text % params if params else text


# The browser


def require_chromium() -> None:
    if not Path(CHROMIUM).is_file():
        unavailable(f"chromium not found at {CHROMIUM}; install Debian's: apt-get install chromium")
    if expect is None:
        unavailable('the playwright package is not installed: pip install -e ".[test]"')


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item) -> None:
    """Decide before any fixture runs, so a skipped browser test never starts a server."""
    if item.get_closest_marker("browser") is not None:
        require_chromium()


REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures can tell whether it failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


RUNNING: dict[str, object] = {}  # the process's one browser: Playwright's sync API runs once per thread


@pytest.fixture(scope="session")
def chromium():
    """One chromium per test process. Other folders import these fixtures into their conftest
    (tests/leads, tests/files, ...), which makes a second session fixture of the same name; it
    shares the browser already started instead of starting Playwright again, which fails."""
    if "browser" in RUNNING:
        yield RUNNING["browser"]
        return
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        RUNNING["browser"] = browser
        try:
            yield browser
        finally:
            RUNNING.pop("browser", None)
            browser.close()


@pytest.fixture
def new_page(chromium, request):
    """Open pages in fresh contexts: ``new_page(locale="kk")``, with any other context option
    (``viewport``, ``java_script_enabled``); closed after the test."""
    contexts = []

    def open_page(locale: str = "en", **options):
        context = chromium.new_context(locale=locale, **{"viewport": {"width": 1100, "height": 700}, **options})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    report = request.node.stash.get(REPORTS, {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for i, context in enumerate(contexts):
            for j, page in enumerate(context.pages):
                try:
                    page.screenshot(path=ARTIFACTS / f"failed-{name}-{i}-{j}.png", full_page=True)
                except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
                    pass
    for context in contexts:
        context.close()


@pytest.fixture
def browser_locale() -> str:
    return "en"


@pytest.fixture
def browser_page(new_page, browser_locale):
    """A page in a new browser context whose language is ``browser_locale``."""
    return new_page(browser_locale)


# The server


class LiveServer:
    """A WSGI app served by waitress on a free loopback port, in a background thread.

    The URL uses ``localhost``, as `crmkit serve` prints it: browsers treat it as a secure
    context, so they keep the Secure session cookies crmkit sets outside debug mode.
    """

    def __init__(self, app: Flask, threads: int = 4):
        from waitress.server import create_server

        self.app = app
        self.server = create_server(app, host="127.0.0.1", port=0, threads=threads, ident="crmkit-test")
        self.port = self.server.effective_port
        self.url = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.server.run, name=f"waitress:{self.port}", daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        """Close every socket from the server's own loop, then stop its worker threads."""
        from waitress import wasyncore

        if self.thread.is_alive():
            self.server.trigger.pull_trigger(lambda: wasyncore.close_all(self.server._map))
            self.thread.join(timeout=10)
        self.server.task_dispatcher.shutdown()
        assert not self.thread.is_alive(), "the test server did not stop"

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()


@pytest.fixture
def live_app(make_app) -> Flask:
    """The app the live server runs: production settings (not TESTING, so Secure cookies), one admin."""
    app = make_app(TESTING=False, SECRET_KEY=TEST_SECRET)
    add_user(app, ADMIN_EMAIL, ADMIN_PASSWORD, is_admin=True, name="Admin")
    return app


@pytest.fixture
def live_server(live_app) -> Iterator[LiveServer]:
    with LiveServer(live_app) as server:
        yield server


# Acting as a user


def log_in(page, base_url: str, email: str = ADMIN_EMAIL, password: str = ADMIN_PASSWORD) -> None:
    """Log in through the login form as a person would, ending on the home page."""
    page.goto(f"{base_url}/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form:has(input[name=password]) button[type=submit]").click()
    page.wait_for_url(f"{base_url}/")
