"""Security headers on every kind of answer crmkit gives, a strict CSP without inline code, and
how plugins and deployments may extend the CSP but never loosen it silently."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Blueprint

import crmkit
from crmkit import db, hookimpl
from crmkit.config import ConfigError
from crmkit.core.auth.models import User
from crmkit.entities.service import Records
from crmkit.security_headers import CspError, build_policy
from tests.conftest import ADMIN_EMAIL, add_user, csrf_token, login
from tests.hooking import plugin

CRMKIT = Path(crmkit.__file__).parent
EMAIL_TEMPLATES = {"reminder_email.html"}  # mail clients ignore CSP and want inline styles
NOT_PAGES = {"snippet.html"}  # the web form's code an admin pastes into another site, shown escaped, never served


def pages_plugin():
    """A plugin with two public pages: one that fails (the 500 page), one with a CSP of its own."""
    bp = Blueprint("test_pages", __name__, url_prefix="/test-pages")

    @bp.route("/fails")
    @crmkit.public
    def fails():
        raise RuntimeError("this page always fails")

    @bp.route("/sandboxed")
    @crmkit.public
    def sandboxed():  # as a view handing out a user's own file might
        return "a user's file", {"Content-Security-Policy": "sandbox"}

    @hookimpl
    def register_blueprints():
        return [bp]

    return plugin("test_pages", register_blueprints)


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[pages_plugin()], PROPAGATE_EXCEPTIONS=False, DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    with app.test_request_context():
        session = db.session()
        people = Records(app.extensions["crmkit"].entities.get("person"), session.get(User, 1), session)
        people.create({"name": "Серикбаев Нурлан"})
    return app


@pytest.fixture
def client(app):
    client = app.test_client()
    assert login(client).status_code == 302
    return client


def calendar_feed(client) -> str:
    response = client.post("/my-day/feed", data={"csrf_token": csrf_token(client, "/my-day")})
    return re.search(r"http://localhost(/calendar/feed/[\w-]+\.ics)", response.get_data(as_text=True)).group(1)


# (kind, how to get it from a logged-in client, the status it answers)
PAGE_KINDS = [
    ("home page", lambda c: c.get("/"), 200),
    ("list page", lambda c: c.get("/person/"), 200),
    ("record page", lambda c: c.get("/person/1"), 200),
    ("form", lambda c: c.get("/person/1/edit"), 200),
    ("admin page", lambda c: c.get("/admin/org"), 200),
    ("error page 404", lambda c: c.get("/no-such-page"), 404),
    ("error page 500", lambda c: c.get("/test-pages/fails"), 500),
    ("redirect", lambda c: c.post("/logout", data={"csrf_token": csrf_token(c, "/")}), 302),
    ("login page", lambda c: c.application.test_client().get("/login"), 200),
    ("redirect to the login page", lambda c: c.application.test_client().get("/person/"), 302),
    ("JSON API", lambda c: c.get("/api/v1/person"), 200),
    ("JSON API record", lambda c: c.get("/api/v1/person/1"), 200),
    ("API error", lambda c: c.get("/api/v1/person/999"), 404),
    ("API error without login", lambda c: c.application.test_client().get("/api/v1/person"), 401),
    ("record picker JSON", lambda c: c.get("/-/pick/person?q=Сер"), 200),
    ("static file", lambda c: c.get("/static/crmkit.css"), 200),
    ("API docs page", lambda c: c.get("/api/v1/docs"), 200),
    ("Swagger UI file", lambda c: c.get("/api/v1/docs/assets/swagger-ui-bundle.js"), 200),
    ("CSV export", lambda c: c.get("/transfer/person/export"), 200),
    ("XLSX export", lambda c: c.get("/transfer/person/export?format=xlsx"), 200),
    ("vCard download", lambda c: c.get("/contacts/vcard/person/1.vcf"), 200),
    ("iCalendar feed", lambda c: c.application.test_client().get(calendar_feed(c)), 200),
]


def directives(response) -> dict[str, list[str]]:
    policy = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in policy.split(";"))}


@pytest.mark.parametrize(("kind", "get", "status"), PAGE_KINDS, ids=[kind for kind, _get, _status in PAGE_KINDS])
def test_every_kind_of_answer_carries_the_security_headers(client, kind, get, status):
    response = get(client)
    assert response.status_code == status, kind
    csp = directives(response)
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["default-src"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # the test client speaks plain HTTP


class InlineCode(HTMLParser):
    """What a page runs or styles inline: scripts without src, on*= handlers, style, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and not dict(attrs).get("src") or tag == "style":
            self.found.append(f"<{tag}> inline")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")


@pytest.mark.parametrize(("kind", "get", "status"), [k for k in PAGE_KINDS if k[0].endswith(("page", "form", "404", "500"))])
def test_pages_have_no_inline_script_handler_or_style_for_the_csp_to_block(client, kind, get, status):
    parser = InlineCode()
    parser.feed(get(client).get_data(as_text=True))
    assert parser.found == [], kind


def test_no_template_of_crmkit_holds_inline_script_handlers_or_styles():
    """Templates no test renders are held to the same rule; emails are not pages."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)|<style|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)
    offenders = [
        f"{path.relative_to(CRMKIT)}: {found.group(0).strip()}"
        for path in sorted(CRMKIT.rglob("templates/**/*.html"))
        if path.name not in EMAIL_TEMPLATES | NOT_PAGES
        for found in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], (
        "the CSP (crmkit/security_headers.py) blocks inline code: move scripts and styles to files under static/, "
        "handlers to addEventListener, and a colour from data to a class or an SVG fill attribute"
    )


def test_the_csp_allows_no_inline_or_evaluated_script(client):
    csp = directives(client.get("/"))
    for directive in ("default-src", "script-src", "style-src"):
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"} & set(csp[directive]), directive
    assert "script-src-attr" not in csp and "script-src-elem" not in csp


def test_hsts_is_sent_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/login").headers
    over_https = client.get("/login", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_a_policy_a_view_sets_is_kept_beside_ours_so_it_can_only_tighten(client):
    policies = client.get("/test-pages/sandboxed").headers.getlist("Content-Security-Policy")
    assert policies[0] == "sandbox" and "script-src 'self'" in policies[1]  # browsers enforce both


# Extending the policy


def csp_plugin(sources):
    @hookimpl
    def register_csp_sources(app):
        return sources(app) if callable(sources) else sources

    return plugin("maps", register_csp_sources)


def test_hook_register_csp_sources(make_app):
    maps = csp_plugin(lambda app: {"img-src": [app.config["MAPS_TILES"]], "connect-src": ["https://tiles.example"]})
    app = make_app(plugins=[maps], MAPS_TILES="https://*.tiles.example")
    csp = directives(app.test_client().get("/login"))
    assert csp["img-src"] == ["'self'", "data:", "https://*.tiles.example"]
    assert csp["connect-src"] == ["'self'", "https://tiles.example"]
    assert csp["script-src"] == ["'self'"]


def test_the_deployment_extends_the_policy_with_the_csp_extra_setting(make_app):
    app = make_app(CSP_EXTRA={"font-src": ["https://fonts.example"]})
    assert directives(app.test_client().get("/login"))["font-src"] == ["'self'", "https://fonts.example"]


@pytest.mark.parametrize(
    ("directive", "source"),
    [
        ("script-src", "'unsafe-inline'"),
        ("script-src", "'unsafe-eval'"),
        ("style-src", "'unsafe-inline'"),
        ("img-src", "*"),
        ("script-src", "https:"),
        ("script-src", "'nonce-fixed'"),
        ("object-src", "https://plugins.example"),
        ("frame-ancestors", "https://portal.example"),
    ],
)
def test_a_plugin_that_would_loosen_the_policy_stops_start_up_naming_it(make_app, directive, source):
    with pytest.raises(CspError, match=rf"plugin 'maps' asks for {directive} {re.escape(source)}.*CSP_ALLOW") as error:
        make_app(plugins=[csp_plugin({directive: [source]})], migrate=False)
    assert isinstance(error.value, ConfigError)  # `crmkit` commands print it as a start-up error


def test_the_deployment_may_allow_one_exact_loosening(make_app):
    maps = csp_plugin({"script-src": ["'unsafe-eval'"], "frame-ancestors": ["https://portal.example"]})
    app = make_app(plugins=[maps], CSP_ALLOW=["script-src 'unsafe-eval'", "frame-ancestors https://portal.example"])
    csp = directives(app.test_client().get("/login"))
    assert csp["script-src"] == ["'self'", "'unsafe-eval'"]
    assert csp["frame-ancestors"] == ["https://portal.example"]  # 'none' gives way only when allowed
    with pytest.raises(CspError, match="style-src 'unsafe-inline'"):
        make_app(plugins=[csp_plugin({"style-src": ["'unsafe-inline'"]})], CSP_ALLOW=["script-src 'unsafe-inline'"], migrate=False)


@pytest.mark.parametrize(
    ("extension", "problem"),
    [
        ({"img_src": ["https://tiles.example"]}, "'img_src' is not a directive"),
        ({"img-src": "https://tiles.example"}, "must be a list"),
        ({"img-src": ["https://tiles.example; script-src *"]}, "is not a Content-Security-Policy source"),
        ({"img-src": ["https://tiles.example,evil"]}, "is not a Content-Security-Policy source"),
        ({"img-src": ["https://tiles.example/\x00"]}, "is not a Content-Security-Policy source"),
        ({"img-src": ["https://tiles.example/'x'"]}, "is not a Content-Security-Policy source"),
        (["img-src https://tiles.example"], "a mapping of directive to sources"),
    ],
)
def test_a_malformed_extension_stops_start_up_saying_what_is_wrong(extension, problem):
    with pytest.raises(CspError, match=re.escape(problem)):
        build_policy([("the CSP_EXTRA setting", extension)])


def test_csp_allow_given_as_one_string_allows_that_one_addition():
    """As CRMKIT_CSP_ALLOW="script-src 'unsafe-eval'" gives it: not JSON, so a plain string."""
    policy = build_policy([("plugin 'maps'", {"script-src": ["'unsafe-eval'"]})], allowed="script-src 'unsafe-eval'")
    assert "script-src 'self' 'unsafe-eval'" in policy


def test_hashes_and_host_sources_extend_script_src_without_being_a_loosening():
    policy = build_policy([("plugin 'maps'", {"script-src": ["https://cdn.example/maps.js", "'sha256-abc+/def='"]})])
    assert "script-src 'self' https://cdn.example/maps.js 'sha256-abc+/def='" in policy
