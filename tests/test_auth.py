"""Login, logout, sessions and CSRF, through the real app over HTTP and the real `crmkit` command."""

from __future__ import annotations

import re
import types
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher
from click.testing import CliRunner
from flask import Blueprint
from sqlmodel import select
from werkzeug.routing import BuildError

import crmkit.core.auth.models as auth_models
from crmkit import db, hookimpl
from crmkit.app import create_app
from crmkit.cli import cli
from crmkit.core.auth.models import User
from crmkit.core.auth.service import find_user
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD, TEST_SECRET, add_user, csrf_token, login

PUBLIC_ENDPOINTS = {
    "auth.login", "auth.login_code", "home.health", "home.language", "static",
    "myday.feed",  # the feed: a secret address
    "intake_form.submit", "intake_form.preflight", "intake_form.thanks",  # a web form on another site: a secret token
    "intake_webhook.deliver",  # signed with the sender's secret (HMAC), not a session
}  # login_code: the second step, open only to a browser that just gave the right password
EN = {"Accept-Language": "en"}


@pytest.fixture
def user(app):
    return add_user(app, name="Aigerim")


@pytest.fixture
def logged_in(app, user):
    client = app.test_client()
    assert login(client).status_code == 302
    assert client.get("/").status_code == 200
    return client


def api_probe(tmp_path):
    """A plugin with one JSON endpoint under /api/, built in the test."""
    plugin = types.ModuleType("api_probe")
    plugin.__file__ = str(tmp_path / "api_probe" / "hooks.py")
    bp = Blueprint("api_probe", __name__, url_prefix="/api/probe")
    bp.add_url_rule("/", "ping", lambda: {"pong": True})

    @hookimpl
    def register_blueprints():
        return [bp]

    plugin.register_blueprints = register_blueprints
    return plugin


def crmkit_command(app, *args):
    """Run the real `crmkit` command line against the database ``app`` uses."""
    env = {
        "CRMKIT_SECRET_KEY": TEST_SECRET,
        "CRMKIT_DATABASE_URL": app.config["DATABASE_URL"],
        "CRMKIT_LOAD_ENTRY_POINTS": "false",
        "CRMKIT_LOCALE": "en",
    }
    return CliRunner().invoke(cli, list(args), env=env)


def field_errors(page, field):
    found = re.search(rf'<ul class="errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


def without_tokens(page):
    return re.sub(r'name="csrf_token"(?: type="hidden")? value="[^"]+"', "", page)


def post_login(client, email, password, **query):
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, query_string=query, headers=EN)


def sample_url(app, rule):
    """A URL the rule matches, with made-up values for its arguments."""
    adapter = app.url_map.bind("localhost")
    for sample in ("crmkit.css" if rule.endpoint == "static" else "sample", 1):
        try:
            return adapter.build(rule.endpoint, dict.fromkeys(set(rule.arguments) - set(rule.defaults or {}), sample))
        except (BuildError, ValueError):  # ValueError: "sample" for an <int:...> argument
            continue
    raise AssertionError(f"cannot build a URL for {rule.rule}")


def is_csrf_refusal(response):
    if response.status_code != 400:
        return False
    if response.is_json:
        return response.get_json()["error"]["code"] == 400
    return "Error 400" in response.get_data(as_text=True)  # the error page, not a form's own 400


# Default deny when logged out


def is_static(endpoint: str) -> bool:
    """The app's and every blueprint's static files: public, like the login page's stylesheet."""
    return endpoint == "static" or endpoint.endswith(".static")


def test_only_login_health_language_switch_and_static_are_public(app):
    public = {"static" if is_static(rule.endpoint) else rule.endpoint for rule in app.url_map.iter_rules()
              if is_static(rule.endpoint) or getattr(app.view_functions[rule.endpoint], "crmkit_public", False)}
    assert public == PUBLIC_ENDPOINTS


def test_every_other_page_redirects_to_login_with_next_when_logged_out(app):
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or is_static(rule.endpoint):
            continue
        url = sample_url(app, rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            data = {"csrf_token": csrf_token(client)} if method == "POST" else None
            response = client.open(url, method=method, data=data, headers=EN)
            if url.startswith("/api/"):
                assert response.status_code == 401 and response.is_json, f"{method} {url}"
            else:
                assert response.status_code == 302, f"{method} {url}"
                assert response.location == f"/login?next={url}", f"{method} {url}"
            checked += 1
    assert checked >= 3


def test_redirect_to_login_keeps_the_query_string_in_next(client):
    response = client.get("/admin/plugins?page=2")
    assert response.location == "/login?next=/admin/plugins?page%3D2"


def test_public_pages_answer_without_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/-/health").status_code == 200
    assert client.get("/static/crmkit.css").status_code == 200
    switch = client.post("/-/language", data={"language": "kk", "next": "/login", "csrf_token": csrf_token(client)})
    assert switch.status_code == 302 and switch.location == "/login"


def test_api_paths_answer_401_json_when_logged_out(make_app, tmp_path):
    client = make_app(plugins=[api_probe(tmp_path)]).test_client()
    response = client.get("/api/probe/", headers={"Accept": "text/html", **EN})
    assert response.status_code == 401
    assert response.get_json() == {"error": {"code": 401, "message": "Please log in", "fields": {}}}


# Logging in


def test_password_is_stored_as_an_argon2_hash(app, user):
    with app.app_context():
        stored = find_user(db.session(), ADMIN_EMAIL).password_hash
    assert stored.startswith("$argon2")
    assert ADMIN_PASSWORD not in stored


def test_login_with_the_right_password_opens_the_home_page(client, user):
    response = post_login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 302 and response.location == "/"
    assert "Welcome, Aigerim" in client.get("/", headers=EN).get_data(as_text=True)


def test_login_email_is_case_insensitive(client, user):
    assert post_login(client, "  Admin@Example.COM ", ADMIN_PASSWORD).status_code == 302


def test_login_returns_to_the_page_that_asked_for_it(client, user):
    next_url = client.get("/admin/plugins").location.split("next=", 1)[1]
    assert post_login(client, ADMIN_EMAIL, ADMIN_PASSWORD, next=next_url).location == "/admin/plugins"


def test_wrong_password_is_refused_with_an_error_on_the_password_field(client, user):
    response = post_login(client, ADMIN_EMAIL, "wrong password here")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_errors(page, "password") == ["Wrong email or password."]
    assert field_errors(page, "email") == []
    assert client.get("/").status_code == 302


def test_inactive_user_is_refused_even_with_the_right_password(app, client):
    add_user(app, is_admin=True)
    with app.app_context():
        found = find_user(db.session(), ADMIN_EMAIL)
        found.is_active = False
        db.session().add(found)
        db.session().commit()
    response = post_login(client, ADMIN_EMAIL, ADMIN_PASSWORD)
    assert response.status_code == 400
    assert field_errors(response.get_data(as_text=True), "password") == ["Wrong email or password."]


def test_refusal_never_reveals_whether_the_email_or_the_password_was_wrong(app, client, user):
    wrong_password = post_login(client, ADMIN_EMAIL, "wrong password here")
    unknown_email = post_login(client, "nobody@example.com", "wrong password here")
    assert wrong_password.status_code == unknown_email.status_code == 400
    typed_back = unknown_email.get_data(as_text=True).replace("nobody@example.com", ADMIN_EMAIL)
    assert without_tokens(wrong_password.get_data(as_text=True)) == without_tokens(typed_back)


def test_unknown_email_costs_a_password_check_like_a_known_one(client, user, monkeypatch):
    """Timing must not tell an unknown email from a wrong password: both run argon2."""
    checks = []

    class CountingHasher(PasswordHasher):
        def verify(self, hash, password):
            checks.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(auth_models, "hasher", CountingHasher())
    post_login(client, ADMIN_EMAIL, "wrong password here")
    post_login(client, "nobody@example.com", "wrong password here")
    assert len(checks) == 2


OFF_SITE = ["//evil.example", "https://evil.example", "http://evil.example/login", "/\\evil.example", "///evil.example"]


@pytest.mark.parametrize("target", OFF_SITE)
def test_next_never_redirects_off_site(client, user, target):
    location = post_login(client, ADMIN_EMAIL, ADMIN_PASSWORD, next=target).location
    assert not location.startswith("//") and "\\" not in location
    assert urlsplit(location).netloc in ("", "localhost")


def test_next_never_redirects_off_site_when_already_logged_in(logged_in):
    location = logged_in.get("/login?next=//evil.example").location
    assert location == "/"


# Logging out


def test_logout_by_get_is_not_allowed(logged_in):
    assert logged_in.get("/logout").status_code == 405
    assert logged_in.get("/").status_code == 200


def test_logout_without_a_csrf_token_is_refused_and_keeps_the_session(logged_in):
    assert is_csrf_refusal(logged_in.post("/logout", headers=EN))
    assert logged_in.get("/").status_code == 200


def test_logout_with_a_csrf_token_ends_the_session(logged_in):
    response = logged_in.post("/logout", data={"csrf_token": csrf_token(logged_in, "/")})
    assert response.status_code == 302 and response.location == "/login"
    assert logged_in.get("/").status_code == 302


# CSRF


NO_SESSION_POSTS = {"intake_form.submit", "intake_webhook.deliver"}  # posts from other sites: a form's token, a signature


def test_every_post_without_a_csrf_token_is_refused(app, admin_client_for):
    client = admin_client_for(app)
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert {rule.endpoint for rule in posts} >= {"auth.login", "auth.logout", "home.language"}
    for rule in posts:
        if rule.endpoint in NO_SESSION_POSTS:
            continue
        response = client.post(sample_url(app, rule), data={"language": "en"}, headers=EN)
        assert is_csrf_refusal(response), f"{rule.rule}: {response.status_code}"
    assert client.get("/").status_code == 200  # nothing above logged the admin out


def test_login_without_a_csrf_token_is_refused_even_with_the_right_password(client, user):
    response = client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}, headers=EN)
    assert is_csrf_refusal(response)
    assert client.get("/").status_code == 302


# Session cookies


def session_cookie(app):
    """The flags of the session cookie the login page sets (it holds the CSRF token)."""
    headers = app.test_client().get("/login").headers.getlist("Set-Cookie")
    (cookie,) = [header for header in headers if header.startswith("session=")]
    return [part.strip() for part in cookie.split(";")]


def test_session_cookie_is_httponly_and_samesite_lax(app):
    flags = session_cookie(app)
    assert "HttpOnly" in flags
    assert "SameSite=Lax" in flags


def test_session_cookie_is_secure_outside_debug_and_testing(database_url, instance_path, monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    secret = "a8f5f167f44f4964e6c998dee827110c"
    app = create_app({"TESTING": False, "SECRET_KEY": secret, "DATABASE_URL": database_url, "LOAD_ENTRY_POINTS": False})
    try:
        flags = session_cookie(app)
    finally:
        db.engine_of(app).dispose()
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= set(flags)


def test_session_cookie_is_not_secure_in_testing_so_plain_http_works(app):
    assert "Secure" not in session_cookie(app)


# Sessions that must end


def test_changing_a_password_from_the_command_line_ends_the_users_sessions(app, logged_in):
    result = crmkit_command(app, "user", "password", ADMIN_EMAIL, "--password", "a new long passphrase")
    assert result.exit_code == 0, result.output
    assert logged_in.get("/").status_code == 302
    assert post_login(app.test_client(), ADMIN_EMAIL, "a new long passphrase").status_code == 302


def test_deactivating_a_user_ends_their_session(app, logged_in):
    with app.app_context():
        found = find_user(db.session(), ADMIN_EMAIL)
        found.is_active = False
        db.session().add(found)
        db.session().commit()
    assert logged_in.get("/").location == "/login?next=/"


# Creating users from the command line


def test_user_create_refuses_a_short_password(app):
    result = crmkit_command(app, "user", "create", "short@example.com", "--password", "tooshort")
    assert result.exit_code != 0
    assert "short@example.com" in result.output and "at least 12 characters" in result.output
    with app.app_context():
        assert find_user(db.session(), "short@example.com") is None


def test_user_create_refuses_a_duplicate_email_naming_it(app, user):
    result = crmkit_command(app, "user", "create", ADMIN_EMAIL.upper(), "--password", "another long password")
    assert result.exit_code != 0
    assert ADMIN_EMAIL.upper() in result.output and "already exists" in result.output
    with app.app_context():
        assert len(db.session().exec(select(User)).all()) == 1


def test_user_create_makes_a_user_who_can_log_in(app, client):
    result = crmkit_command(app, "user", "create", "dana@example.com", "--password", "a long enough secret")
    assert result.exit_code == 0, result.output
    assert post_login(client, "dana@example.com", "a long enough secret").status_code == 302
