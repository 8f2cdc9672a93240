"""The admin pages speak the admin's language: permissions by label under a heading, built-in roles
translated (an admin's own as typed), audit actions by label and their details as sentences with
names; never a code, a dict or an id."""

from __future__ import annotations

import re
import types
from pathlib import Path

import pytest
from flask import Blueprint

from crmkit import api, audit, db, hookimpl
from crmkit.core.access.models import Department, Role
from crmkit.i18n import lazy_gettext as _l
from tests.conftest import login
from tests.people import page, person, post

INLINE = Path(__file__).parent / "plugins" / "inline"


def plugin(name, **impls):
    module = types.ModuleType(name)
    module.__file__ = str(INLINE / "hooks.py")
    for hook, function in impls.items():
        setattr(module, hook, hookimpl(specname=hook)(function))
    return module


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="ru")


def text_of(html: str) -> str:
    """What a reader sees: the body without tags and attributes."""
    return re.sub(r"<[^>]+>", " ", html.split("<main>")[1])


def test_entity_permissions_read_entity_then_action(app, admin_client):
    shown = text_of(page(admin_client, "/admin/roles/agent"))
    assert "Сделки: просмотр" in shown and "Сделки: экспорт" in shown and "Все типы записей: просмотр" in shown


def test_the_role_form_shows_no_permission_codes(app, admin_client):
    shown = text_of(page(admin_client, "/admin/roles/agent"))
    assert not re.search(r"\*\.view|core\.\w+|deal\.\w+", shown)


def test_a_plugin_permission_is_listed_under_its_group_and_one_without_under_other(make_app, admin_client_for):
    extra = plugin("perms", register_permissions=lambda: [
        api.Permission("perms.approve", _l("Approve"), group="Approvals"), api.Permission("perms.stamp", "Stamp")])
    html = page(admin_client_for(make_app(plugins=[extra], DEFAULT_LOCALE="en")), "/admin/roles/new")
    assert re.search(r"<strong>Approvals</strong>\s*<label[^>]*>[^<]*<input[^>]*value=\"perms.approve\"", html)
    other = html.split("<strong>Other</strong>")[1].split("</div>")[0]
    assert 'value="perms.stamp"' in other and 'value="perms.approve"' not in other


def test_the_roles_list_names_permissions_and_visibility_in_words(app, admin_client):
    shown = text_of(page(admin_client, "/admin/roles"))
    assert "Все типы записей: просмотр" in shown and "Все типы записей: Свои записи" in shown
    assert "*.view" not in shown and "*:" not in shown


@pytest.mark.parametrize("locale, names", [("ru", ["Администратор", "Менеджер", "Агент"]),
                                           ("kk", ["Әкімші", "Менеджер", "Агент"]),
                                           ("en", ["Administrator", "Manager", "Agent"])])
def test_built_in_roles_are_named_in_the_viewers_language(make_app, admin_client_for, locale, names):
    client = admin_client_for(make_app(DEFAULT_LOCALE=locale))
    shown = text_of(page(client, "/admin/roles"))
    assert all(name in shown for name in names)
    assert names[0] in text_of(page(client, "/admin/users"))


def test_a_role_an_admin_named_keeps_its_name_as_typed(app, admin_client):
    post(admin_client, "/admin/roles/new", {"name": "intern", "label": "Стажёр", "permissions": "*.view", "visibility:*": "own"})
    post(admin_client, "/admin/roles/manager", {"label": "Руководитель отдела", "permissions": "*.view", "visibility:*": "department"})
    shown = text_of(page(admin_client, "/admin/roles"))
    assert "Стажёр" in shown and "Руководитель отдела" in shown and "Менеджер" not in shown


def test_saving_a_built_in_role_under_its_shown_name_keeps_it_translated(app, admin_client):
    post(admin_client, "/admin/roles/agent", {"label": "Агент", "permissions": "*.view", "visibility:*": "own"})
    with app.app_context():
        assert db.session().get(Role, "agent").label == "Agent"


def test_the_users_list_is_headed_full_name(app, admin_client):
    html = page(admin_client, "/admin/users")
    assert "<th>ФИО</th>" in html and "Название" not in html


def test_audit_actions_are_shown_by_label(app, admin_client):
    html = page(admin_client, "/admin/audit/")
    assert 'data-action="login">Вход<' in html
    assert '<option value="user_created">Создан пользователь</option>' in html


def test_a_created_user_reads_as_a_sentence_with_the_name_and_role(app, admin_client):
    post(admin_client, "/admin/users/new", {"email": "dana@agency.kz", "name": "Дана Ким", "role": "manager",
                                             "is_active": "y", "password": "a temporary passphrase"})
    shown = text_of(page(admin_client, "/admin/audit/?action=user_created"))
    assert "Пользователь Дана Ким (dana@agency.kz) создан с ролью Менеджер" in shown


def test_a_changed_user_names_the_department_and_manager_not_their_ids(app, admin_client):
    with app.app_context():
        department = Department(name="Продажи Алматы")
        db.session().add(department)
        db.session().commit()
        department_id = department.id
    boss = person(app, "boss@agency.kz", role="manager", name="Ержан Оспанов")
    agent = person(app, "agent@agency.kz", name="Дана Ким")
    post(admin_client, f"/admin/users/{agent}", {"name": "Дана Ким", "role": "agent", "is_active": "y",
                                                 "department_id": department_id, "manager_id": boss})
    shown = text_of(page(admin_client, "/admin/audit/?action=user_changed"))
    assert "Отдел: — → Продажи Алматы" in shown and "Руководитель: — → Ержан Оспанов (boss@agency.kz)" in shown
    assert "department_id" not in shown and "{" not in shown


def test_a_saved_role_lists_the_permissions_it_gained_by_label(app, admin_client):
    post(admin_client, "/admin/roles/agent", {"label": "Agent", "permissions": ["*.view", "*.create", "*.edit", "deal.export"],
                                              "visibility:*": "own"})
    shown = text_of(page(admin_client, "/admin/audit/?action=role_changed"))
    assert "Роль Агент сохранена: Права: добавлены Сделки: экспорт" in shown


def test_a_failed_login_says_who_was_tried(app, admin_client):
    login(app.test_client(), "nobody@agency.kz", "not the password")
    assert "Неудачный вход как nobody@agency.kz" in text_of(page(admin_client, "/admin/audit/?action=login_failed"))


def test_hook_register_audit_actions(make_app, admin_client_for):
    bp = Blueprint("greeter", __name__, url_prefix="/greeter")

    @bp.route("/greet")
    def greet():
        api.audit("greeter.greeted", to="Дана", kind="warm")
        return "ok"

    greeter = plugin("greeter", register_blueprints=lambda: [bp], register_audit_actions=lambda: [
        api.AuditAction("greeter.greeted", "Greeting sent", "Sent a greeting to %(to)s")])
    client = admin_client_for(make_app(plugins=[greeter], DEFAULT_LOCALE="en"))
    client.get("/greeter/greet")
    html = page(client, "/admin/audit/?action=greeter.greeted")
    assert '<option value="greeter.greeted" selected>Greeting sent</option>' in html
    assert "Sent a greeting to Дана. kind: warm" in text_of(html)


def test_an_undeclared_action_shows_its_name_and_details(app, admin_client):
    with app.test_request_context():
        audit.record("mystery.done", user=1, rows=3)
    assert "Строки: 3" in text_of(page(admin_client, "/admin/audit/?action=mystery.done"))
