"""The `crmkit` command: `init` sets up a working instance once, errors are one line, `flask --app
crmkit` works the same, and `crmkit serve` serves a site one can log in to over real HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import queue
import re
import socket
import stat
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlmodel import select

from crmkit import db
from crmkit.app import create_app
from crmkit.cli import cli
from crmkit.core.auth.models import User

ADMIN_EMAIL, ADMIN_PASSWORD = "owner@example.kz", "a long admin passphrase"
BIN = Path(sys.executable).parent
GENERATED_PASSWORD = re.compile(r"with the password (\S+) \(shown once")


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """An empty place for an instance folder, and a shell with no crmkit settings in English."""
    for name in ("CRMKIT_SECRET_KEY", "CRMKIT_DATABASE_URL", "CRMKIT_ADMIN_EMAIL", "CRMKIT_ADMIN_PASSWORD",
                 "CRMKIT_LOAD_PLUGINS", "FLASK_DEBUG", "FLASK_APP", "FLASK_RUN_FROM_CLI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRMKIT_LOCALE", "en")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "instance"
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(path))
    return path


def crmkit(*args, **env):
    return CliRunner().invoke(cli, list(args), env=env)


def init(**env):
    result = crmkit("init", **env)
    assert result.exit_code == 0, result.output
    return result


def init_with_admin():
    return init(CRMKIT_ADMIN_EMAIL=ADMIN_EMAIL, CRMKIT_ADMIN_PASSWORD=ADMIN_PASSWORD)


@pytest.fixture
def installed_app(instance):
    """The app the instance serves, built after a test ran `crmkit init`."""
    apps = []

    def build():
        apps.append(create_app())
        return apps[-1]

    yield build
    for app in apps:
        db.engine_of(app).dispose()


def users_of(app):
    with app.app_context():
        return db.session().exec(select(User).order_by(User.id)).all()


# crmkit init


def test_init_creates_the_instance_folder_with_its_config_and_database(instance):
    init_with_admin()
    assert (instance / "config.py").is_file()
    assert (instance / "crmkit.sqlite3").is_file()


def test_init_writes_a_random_secret_key_readable_only_by_its_owner(instance):
    init_with_admin()
    config = instance / "config.py"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert re.fullmatch(r"SECRET_KEY = '[0-9a-f]{64}'\n", config.read_text())


def test_init_writes_a_different_secret_key_on_each_install(instance, tmp_path, monkeypatch):
    init_with_admin()
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(tmp_path / "second"))
    init_with_admin()
    assert (instance / "config.py").read_text() != (tmp_path / "second" / "config.py").read_text()


def test_init_leaves_the_database_at_the_latest_migration_of_every_lineage(installed_app):
    init_with_admin()
    app = installed_app()
    lineages = app.extensions["crmkit"].lineages
    assert lineages
    for lineage in lineages:
        assert lineage.current(db.engine_of(app)) == lineage.head() is not None


def test_init_creates_exactly_the_admin_from_the_environment(installed_app):
    init_with_admin()
    (admin,) = users_of(installed_app())
    assert (admin.email, admin.is_admin, admin.is_active) == (ADMIN_EMAIL, True, True)
    assert admin.check_password(ADMIN_PASSWORD)


def test_init_again_changes_nothing_and_creates_no_second_admin(instance, installed_app):
    init_with_admin()
    config = (instance / "config.py").read_bytes()
    before = [(u.email, u.password_hash) for u in users_of(installed_app())]
    init(CRMKIT_ADMIN_EMAIL="second@example.kz", CRMKIT_ADMIN_PASSWORD="another long passphrase")
    assert (instance / "config.py").read_bytes() == config
    assert [(u.email, u.password_hash) for u in users_of(installed_app())] == before


def test_init_refuses_a_short_admin_password_naming_the_admin(instance):
    result = crmkit("init", CRMKIT_ADMIN_EMAIL=ADMIN_EMAIL, CRMKIT_ADMIN_PASSWORD="short")
    assert result.exit_code != 0
    assert ADMIN_EMAIL in result.output and "at least 12 characters" in result.output
    assert "Traceback" not in result.output


def test_init_without_admin_variables_or_a_terminal_prints_a_generated_password_that_works(installed_app):
    result = init()
    printed = GENERATED_PASSWORD.search(result.output)
    assert printed, result.output
    (admin,) = users_of(installed_app())
    assert admin.is_admin
    assert admin.email in result.output
    assert admin.check_password(printed.group(1))


def test_init_without_admin_variables_never_uses_a_fixed_password(instance, tmp_path, monkeypatch):
    passwords = []
    for name in ("first", "second"):
        monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(tmp_path / name))
        passwords.append(GENERATED_PASSWORD.search(init().output).group(1))
    assert passwords[0] != passwords[1]
    assert all(len(p) >= 16 for p in passwords)


def test_init_accepts_a_relative_instance_path(tmp_path, instance, monkeypatch):
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", "site")
    init_with_admin()
    assert (tmp_path / "site" / "config.py").is_file()


# Errors are one line


def test_help_without_a_secret_key_shows_a_one_line_error_not_a_traceback(instance):
    result = crmkit("--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert result.stderr.strip().startswith("Error: SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_app_command_without_a_secret_key_fails_with_a_one_line_error(instance):
    result = crmkit("user", "create", ADMIN_EMAIL, "--password", ADMIN_PASSWORD)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught exception
    assert result.stderr.strip().startswith("Error: SECRET_KEY")
    assert len(result.stderr.strip().splitlines()) == 1


def test_help_after_init_lists_the_commands_plugins_add(instance):
    init_with_admin()
    result = crmkit("--help")
    assert result.exit_code == 0 and result.stderr == ""
    for command in ("init", "serve", "user", "db", "plugins"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


# flask --app crmkit


def test_flask_app_crmkit_routes_lists_the_routes(instance):
    init_with_admin()
    done = subprocess.run([str(BIN / "flask"), "--app", "crmkit", "routes"], capture_output=True, text=True,
                          timeout=120, env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    for endpoint, rule in (("auth.login", "/login"), ("home.health", "/-/health"), ("auth.logout", "/logout")):
        assert re.search(rf"^{re.escape(endpoint)}\s.*\s{re.escape(rule)}\s*$", done.stdout, re.M), done.stdout


# crmkit serve, as a real server


class BrowserLikeCookies(http.cookiejar.DefaultCookiePolicy):
    """Browsers send Secure cookies to http://localhost, a secure context; so does this client."""

    def return_ok_secure(self, cookie, request):
        loopback = urllib.parse.urlsplit(request.full_url).hostname in ("localhost", "127.0.0.1")
        return loopback or super().return_ok_secure(cookie, request)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_until(lines, pattern, deadline, seen):
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line)
        if found := re.search(pattern, line):
            return found
    raise AssertionError("crmkit serve never printed %r; it printed:\n%s" % (pattern, "".join(seen)))


@pytest.fixture
def served(instance):
    """Start `crmkit serve` on a free port; yield its process and a queue of its output lines."""
    port = free_port()
    process = subprocess.Popen([str(BIN / "crmkit"), "serve", "--port", str(port)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    try:
        yield port, lines
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def test_serve_sets_up_prints_the_url_and_a_password_and_lets_the_admin_log_in(served):
    port, lines = served
    deadline, seen = time.monotonic() + 120, []
    url = read_until(lines, r"crmkit is running at (http://\S+/)", deadline, seen).group(1)
    assert url == f"http://localhost:{port}/"
    email, password = read_until(lines, r"Log in as (\S+) with the password (\S+) \(", deadline, seen).groups()

    cookies = http.cookiejar.CookieJar(BrowserLikeCookies())
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    browser.addheaders = [("Accept-Language", "en")]
    while True:
        try:
            if browser.open(url + "-/health", timeout=5).status == 200:
                break
        except (urllib.error.URLError, ConnectionError):
            assert time.monotonic() < deadline, "crmkit serve never answered its health check"
            time.sleep(0.2)

    form = browser.open(url + "login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"email": email, "password": password, "csrf_token": token}).encode()
    first = browser.open(url + "login", data=body, timeout=30)  # the one-time password: choose one's own
    assert urllib.parse.urlsplit(first.url).path == "/login/first"
    token = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', first.read().decode()).group(1)
    own = {"email": "owner@agency.kz", "password": "a long admin passphrase", "confirm": "a long admin passphrase"}
    home = browser.open(url + "login/first", data=urllib.parse.urlencode({**own, "csrf_token": token}).encode(), timeout=30)
    assert home.status == 200
    assert urllib.parse.urlsplit(home.url).path == "/"
    assert "Welcome, Admin" in home.read().decode()
