"""The audit log: entries for logins, users, roles and plugins, `crmkit.audit.record` for plugins,
and the admin page with filters and keyset paging."""

from __future__ import annotations

import types
from datetime import UTC, datetime

import pytest
from flask import Blueprint
from sqlalchemy import select, update

from crmkit import audit, db, hookimpl
from crmkit.core.audit.models import AuditEntry
from tests.conftest import ADMIN_EMAIL, login
from tests.people import PASSWORD, client_as, page, person, post
from tests.plugins.install import install_hello, site  # noqa: F401 - site is a fixture


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


def entries(app, action=None) -> list[AuditEntry]:
    with app.app_context():
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            statement = statement.where(AuditEntry.action == action)
        return list(db.session().execute(statement).scalars())


def test_a_login_is_recorded_with_the_user_and_ip(app):
    user_id = person(app, "agent@example.com")
    client = app.test_client()
    login(client, "agent@example.com", PASSWORD)
    [entry] = entries(app, "login")
    assert (entry.user_id, entry.ip) == (user_id, "127.0.0.1")


def test_a_failed_login_is_recorded_with_the_email_typed(app, client):
    login(client, "nobody@example.com", "wrong password here")
    [entry] = entries(app, "login_failed")
    assert entry.user_id is None and entry.detail == {"email": "nobody@example.com"}


def test_a_logout_is_recorded(app, admin_client):
    post(admin_client, "/logout", {})
    [entry] = entries(app, "logout")
    assert entry.user_id is not None


def test_a_user_created_on_the_admin_page_is_recorded_with_who_did_it(app, admin_client):
    post(admin_client, "/admin/users/new", {"email": "new@example.com", "password": PASSWORD, "role": "agent"})
    entry = entries(app, "user_created")[-1]
    assert entry.detail == {"target": "new@example.com", "role": "agent"}
    assert entry.user_id == entries(app, "login")[0].user_id


def test_a_changed_user_is_recorded_with_old_and_new_values(app, admin_client):
    agent = person(app, "agent@example.com")
    post(admin_client, f"/admin/users/{agent}", {"name": "Dana", "role": "manager", "is_active": "y"})
    [entry] = entries(app, "user_changed")
    assert entry.detail["changes"] == {"name": ["", "Dana"], "role": ["agent", "manager"]}


def test_a_password_change_is_recorded_without_the_password(app, admin_client):
    agent = person(app, "agent@example.com")
    new = "another long password"
    post(admin_client, f"/admin/users/{agent}", {"role": "agent", "is_active": "y", "password": new})
    [entry] = entries(app, "password_changed")
    assert entry.detail == {"target": "agent@example.com"} and new not in str(entries(app))


def test_a_changed_role_is_recorded(app, admin_client):
    post(admin_client, "/admin/roles/agent", {"label": "Field agent", "permissions": ["*.view"], "visibility:*": "own"})
    [entry] = entries(app, "role_changed")
    assert entry.detail["role"] == "agent"
    assert entry.detail["changes"]["label"] == ["Agent", "Field agent"]


def test_enabling_and_disabling_a_plugin_is_recorded(site, make_app):  # noqa: F811
    install_hello(site)
    app = make_app(LOAD_ENTRY_POINTS=True)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["plugins", "enable", "hello"]).exit_code == 0
    assert runner.invoke(args=["plugins", "disable", "hello"]).exit_code == 0
    assert [(e.action, e.detail) for e in entries(app) if e.action.startswith("plugin")] == [
        ("plugin_enabled", {"plugin": "hello"}),
        ("plugin_disabled", {"plugin": "hello"}),
    ]


def exporter(tmp_path):
    """A plugin that logs its exports through crmkit.audit.record, as the docs tell authors to."""
    plugin = types.ModuleType("exporter")
    plugin.__file__ = str(tmp_path / "exporter" / "hooks.py")
    bp = Blueprint("exporter", __name__, url_prefix="/exporter")

    @bp.route("/export")
    def export():
        audit.record("export", entity="contact", rows=12)
        return "ok"

    @hookimpl
    def register_blueprints():
        return [bp]

    plugin.register_blueprints = register_blueprints
    return plugin


def test_a_plugin_records_an_export_through_the_public_api(make_app, admin_client_for, tmp_path):
    app = make_app(plugins=[exporter(tmp_path)], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    client = admin_client_for(app)
    client.get("/exporter/export")
    [entry] = entries(app, "export")
    assert entry.detail == {"entity": "contact", "rows": 12} and entry.ip == "127.0.0.1"
    assert "contact exported. Rows: 12" in page(client, "/admin/audit/?action=export")


def test_the_audit_page_filters_by_action_and_user(app, admin_client):
    person(app, "agent@example.com")
    client_as(app, "agent@example.com")
    login(app.test_client(), "agent@example.com", "wrong password here")
    by_action = page(admin_client, "/admin/audit/?action=login_failed")
    assert by_action.count('class="action"') == 1
    by_user = page(admin_client, "/admin/audit/?user=agent@example.com")
    assert by_user.count('data-action="login">Logged in<') == 1 and ADMIN_EMAIL not in by_user.split("<tbody>")[1]


def test_the_audit_page_filters_by_date_range(app, admin_client):
    with app.app_context():
        db.session().execute(update(AuditEntry).values(at=datetime(2026, 1, 15, 10, tzinfo=UTC)))
        db.session().commit()
    person(app, "agent@example.com")
    assert page(admin_client, "/admin/audit/?from=2026-01-15&to=2026-01-15").count('class="action"') == 2
    assert page(admin_client, "/admin/audit/?from=2026-01-16").count('class="action"') == 1


def test_a_bad_date_is_an_error_on_its_field(admin_client):
    response = admin_client.get("/admin/audit/?from=yesterday")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.get_data(as_text=True)


def test_the_audit_page_pages_by_keyset_without_repeats_or_gaps(app, admin_client):
    with app.app_context():
        for number in range(120):
            audit.record("export", rows=number, commit=False)
        db.session().commit()
    seen, url = [], "/admin/audit/?action=export"
    while url:
        html = page(admin_client, url)
        seen += [int(part.split("<")[0]) for part in html.split("Rows: ")[1:]]
        marker = 'rel="next" href="'
        url = html.split(marker)[1].split('"')[0].replace("&amp;", "&") if marker in html else None
    assert seen == list(range(119, -1, -1))


def test_only_holders_of_core_audit_log_open_the_audit_page(app, admin_client):
    person(app, "manager@example.com", role="manager")
    assert client_as(app, "manager@example.com").get("/admin/audit/").status_code == 403
    assert admin_client.get("/admin/audit/").status_code == 200
