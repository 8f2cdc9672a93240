"""A user's first run: `crmkit serve`, then the login page in each language, log in, log out.

The server is the real command line in a subprocess, set up from nothing in a temporary
instance folder; the test reads the address and the one-time admin password from what it prints.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import LANGUAGES, expect, tr

pytestmark = pytest.mark.browser

# What a browser may send, and the language it should get: bare and with a region, as real ones do.
BROWSER_LOCALES = [(lang, lang) for lang in LANGUAGES] + [("ru-KZ", "ru"), ("kk-KZ", "kk"), ("en-US", "en")]
STARTUP_TIMEOUT = 60  # seconds; the first run writes a key, migrates and hashes a password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServeProcess:
    """`crmkit serve` in a subprocess, with everything it prints collected as it comes."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.proc = subprocess.Popen(
            args,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.rstrip("\n"))
                self.changed.notify_all()
        with self.changed:
            self.changed.notify_all()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = STARTUP_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                if found := re.search(pattern, self.output):
                    return found
                if self.proc.poll() is not None and not self.reader.is_alive():
                    pytest.fail(f"crmkit serve exited with {self.proc.returncode}:\n{self.output}", pytrace=False)
                if time.monotonic() > deadline:
                    pytest.fail(f"crmkit serve printed no {pattern!r} in {timeout}s:\n{self.output}", pytrace=False)
                self.changed.wait(0.5)

    def stop(self) -> None:
        """Ctrl-C first (waitress closes its sockets and exits 0); SIGTERM, then SIGKILL, should
        it linger: a shell that starts pytest in the background makes its children ignore SIGINT."""
        for stop in (lambda: self.proc.send_signal(signal.SIGINT), self.proc.terminate, self.proc.kill):
            if self.proc.poll() is not None:
                break
            stop()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                continue
        self.reader.join(timeout=5)


def wait_until_healthy(url: str, server: ServeProcess, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url + "-/health", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if server.proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"crmkit serve did not answer at {url}:\n{server.output}", pytrace=False)
        time.sleep(0.1)


@pytest.fixture
def served(new_page, tmp_path, request):
    """Start `crmkit serve` on a fresh instance folder; give its URL, admin email and password.

    With CRMKIT_TEST_DATABASE_URL set, it runs on a PostgreSQL schema of its own; otherwise on
    the default, SQLite in the instance folder. ``new_page`` comes first so that a missing
    browser skips the test before a server is started.
    """
    executable = Path(sys.executable).parent / "crmkit"
    assert executable.is_file(), f"no crmkit command beside {sys.executable}; install with pip install -e ."
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRMKIT_")}
    # The command speaks the shell's language; C gives its English msgids, which the test reads.
    env.pop("LANGUAGE", None)
    env.update(CRMKIT_INSTANCE_PATH=str(tmp_path / "instance"), LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1")
    if os.environ.get("CRMKIT_TEST_DATABASE_URL"):
        env["CRMKIT_DATABASE_URL"] = request.getfixturevalue("database_url")
    port = free_port()
    server = ServeProcess([str(executable), "serve", "--port", str(port)], env)
    try:
        url = server.wait_for(r"crmkit is running at (http://\S+/)").group(1)
        assert url == f"http://localhost:{port}/"
        email, password = server.wait_for(r"Log in as (\S+) with the password (\S+) \(shown once").groups()
        wait_until_healthy(url, server)
        yield url, email, password
    finally:
        server.stop()
    assert (tmp_path / "instance" / "config.py").is_file(), "serve did not write the instance's secret key"


def expect_login_page(page, lang: str) -> None:
    heading = tr(lang, "Log in")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    assert page.locator("h1").inner_text() == heading, f"login page heading in {lang}"
    assert page.title().startswith(heading)
    assert page.locator("button[type=submit].primary").inner_text() == heading
    assert page.locator("label[for=email]").inner_text() == tr(lang, "Email")
    assert page.locator("label[for=password]").inner_text() == tr(lang, "Password")
    assert page.locator(f".languages button[lang={lang}]").get_attribute("aria-pressed") == "true"


def test_first_run_login_page_languages_log_in_and_out(served, new_page):
    url, email, password = served

    # The browser's language (Accept-Language) picks the page's language, with or without a region.
    for browser_locale, lang in BROWSER_LOCALES:
        page = new_page(browser_locale)
        page.goto(url)
        assert "/login" in page.url, "an anonymous visitor is sent to the login page"
        expect_login_page(page, lang)

    # The language buttons switch it, and the choice sticks (it lives in the session cookie).
    page = new_page("en")
    page.goto(url)
    expect_login_page(page, "en")
    for lang in ("ru", "en", "kk"):
        page.locator(f".languages button[lang={lang}]").click()
        page.wait_for_load_state()
        assert "/login" in page.url
        expect_login_page(page, lang)
    page.reload()
    expect_login_page(page, "kk")

    # Secure session cookies are kept on http://localhost, a secure context for chromium.
    session = {c["name"]: c for c in page.context.cookies()}.get("session")
    assert session is not None, f"chromium kept no session cookie; cookies: {page.context.cookies()}"
    assert session["secure"] and session["httpOnly"] and session["sameSite"] == "Lax"

    # Log in with what `crmkit serve` printed: the one-time password leads to choosing a real email
    # and one's own password first; then the home page follows the chosen language.
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("button[type=submit].primary").click()
    page.wait_for_url(re.compile(r"/login/first$"))
    expect(page.locator("h1")).to_have_text(tr("kk", "Set your email and password"))
    page.locator("input[name=email]").fill("director@agency.kz")
    page.locator("input[name=password]").fill("tulips along the river bank")
    page.locator("input[name=confirm]").fill("tulips along the river bank")
    page.locator("button[type=submit].primary").click()
    page.wait_for_url(url)
    expect(page.locator("h1")).to_have_text(tr("kk", "Welcome, %(name)s", name="Admin"))
    assert page.locator("nav a[aria-current=page]").inner_text() == tr("kk", "Home")
    assert page.locator(".topbar .user").inner_text() == "Admin"

    # Log out: back on the login page with a notice, and the home page is closed again.
    page.locator(".topbar summary.user").click()  # in the user's menu
    page.get_by_role("button", name=tr("kk", "Log out")).click()
    page.wait_for_url(re.compile(r"/login$"))
    expect(page.locator(".flash")).to_have_text(tr("kk", "You have logged out."))
    expect_login_page(page, "kk")
    page.goto(url)
    assert "/login" in page.url, "after logging out the home page asks for a login again"
