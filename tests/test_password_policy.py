"""The password policy (crmkit.core.auth.policy): at least 12 characters, at most 128, not a common
password, not repetitive or sequential, not the user's own name or email; and every path that sets
a password uses it: account page, admin user form, `crmkit user create/password`, `crmkit init`."""

from __future__ import annotations

import gzip
from importlib import resources

import pytest
from click.testing import CliRunner

from crmkit import db
from crmkit.cli import cli
from crmkit.core.auth.policy import MAX_LENGTH, common_passwords, generate_password, password_problem
from crmkit.core.auth.service import find_user
from tests.people import PASSWORD, client_as, person, post

EMAIL, NAME = "marat.ivanov@firma.kz", "Марат Иванов"

REFUSED = [
    ("short", "at least 12 characters"),
    ("qwertyuiop", "at least 12 characters"),
    ("ЗЕЛЁНЫЙ ЧАЙ", "at least 12 characters"),  # 11 letters, however many bytes
    ("x" * (MAX_LENGTH + 1), "at most 128 characters"),
    ("aaaaaaaaaaaa", "too predictable"),
    ("abcdefghijklmnop", "too predictable"),
    ("1234567890123", "too predictable"),
    ("qwertyuiopasdf", "too predictable"),
    ("ABCabcABCabcABC", "too predictable"),
    ("йцукенгшщзхъ", "too predictable"),
    ("абвгдеёжзийк", "too predictable"),
    ("zzzzzzzzzzzzzz12", "too predictable"),
    ("qwertyuiop12", "most common"),
    ("Password2024!", "most common"),
    ("1q2w3e4r5t6y", "most common"),
    ("iloveyou iloveyou", "most common"),
    ("monkeymonkey2024", "most common"),
    ("пароль123456", "most common"),  # "gfhjkm" on the Russian layout
    ("marat.ivanov@firma.kz", "do not count"),
    ("MARAT.IVANOV@FIRMA.KZ", "do not count"),
    ("marat.ivanov2024", "do not count"),
    ("Марат Иванов 1990", "do not count"),
    ("firma marat 1987!", "do not count"),
    ("crmkit marat 99", "do not count"),
]

ACCEPTED = [
    "correct horse battery",
    "a long enough password",
    "Зелёный чай с мёдом",
    "Жасыл шай мен бал қосып",
    "Tr0ub4dor&3 plus more",
    "marat likes green tea",  # his name is there, but twelve more characters are his own
    "x7#Kp2!vQ9zL",
    "ы" * 3 + "ключ на старт",
]


@pytest.fixture
def app(make_app):
    return make_app(CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def context(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


@pytest.mark.parametrize("password, reason", REFUSED)
def test_weak_passwords_are_refused_with_the_reason(context, password, reason):
    problem = password_problem(password, EMAIL, NAME)
    assert problem is not None and reason in problem


@pytest.mark.parametrize("password", ACCEPTED)
def test_long_unpredictable_passwords_are_accepted_without_composition_rules(context, password):
    assert password_problem(password, EMAIL, NAME) is None


def test_the_limits_count_characters_not_bytes(context):
    assert password_problem("ж" * 6 + "ключ мой", EMAIL, NAME) is None  # 14 letters, 26 bytes
    assert password_problem("Жасыл шай мен бал", EMAIL, NAME) is None
    assert "at most" in password_problem("ъ" * 40 + "э" * 40 + "ю" * 49, EMAIL, NAME)


def test_the_reasons_come_in_the_users_language(app):
    reasons = {}
    for language in ("en", "ru", "kk"):
        with app.test_request_context(headers={"Accept-Language": language}):
            reasons[language] = password_problem("aaaaaaaaaaaa", EMAIL, NAME)
    assert reasons["ru"].startswith("Пароль слишком предсказуем")
    assert reasons["kk"].startswith("Құпиясөз тым оңай болжанады")


def test_the_shipped_common_password_list_is_big_and_says_where_it_came_from():
    raw = resources.files("crmkit.core.auth").joinpath("common_passwords.txt.gz").read_bytes()
    header = [line for line in gzip.decompress(raw).decode().splitlines() if line.startswith("#")]
    assert any("zxcvbn" in line for line in header) and any("MIT" in line for line in header)
    assert len(common_passwords()) >= 30_000
    assert {"password", "qwertyuiop", "gfhjkm", "1q2w3e4r5t6y"} <= common_passwords()


def test_generated_passwords_pass_the_policy(context):
    assert all(password_problem(generate_password(EMAIL, NAME), EMAIL, NAME) is None for _ in range(50))


def test_the_test_suites_own_passwords_pass_the_policy(context):
    from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD

    assert password_problem(ADMIN_PASSWORD, ADMIN_EMAIL, "Admin") is None
    assert password_problem(PASSWORD, "agent@example.com", "Aigerim") is None


# Defect 7: every path that sets a password applies it


@pytest.mark.parametrize("weak", ["qwertyuiopasdf", "aaaaaaaaaaaa", "agent@example.com", "Password2024!"])
def test_the_account_page_refuses_weak_new_passwords_under_the_field(app, weak):
    person(app, "agent@example.com", name="Aigerim")
    agent = client_as(app, "agent@example.com")
    response = post(agent, "/account/password", {"current_password": PASSWORD, "new_password": weak})
    assert response.status_code == 422
    assert 'id="new_password-errors"' in response.get_data(as_text=True)
    client_as(app, "agent@example.com", PASSWORD)  # the old password still works


@pytest.mark.parametrize("weak", ["qwertyuiopasdf", "aaaaaaaaaaaa", "dana.sarsen@example.com"])
def test_an_admin_cannot_create_a_user_with_a_weak_password(app, admin_client, weak):
    data = {"email": "dana.sarsen@example.com", "name": "Dana Sarsen", "password": weak, "role": "agent"}
    response = post(admin_client, "/admin/users/new", data)
    assert response.status_code == 422 and 'id="password-errors"' in response.get_data(as_text=True)
    with app.app_context():
        assert find_user(db.session(), "dana.sarsen@example.com") is None


def test_an_admin_cannot_give_a_user_their_own_name_as_password(app, admin_client):
    agent = person(app, "agent@example.com", name="Aigerim Bekova")
    data = {"name": "Aigerim Bekova", "role": "agent", "manager_id": "", "department_id": "", "is_active": "y",
            "password": "aigerim bekova"}
    response = post(admin_client, f"/admin/users/{agent}", data)
    assert response.status_code == 422 and "do not count" in response.get_data(as_text=True)


def test_crmkit_user_create_and_password_refuse_weak_passwords(app):
    runner = app.test_cli_runner()
    created = runner.invoke(args=["user", "create", "dana@example.com", "--password", "aaaaaaaaaaaaaaaa"])
    assert created.exit_code != 0 and "too predictable" in created.output
    person(app, "agent@example.com")
    changed = runner.invoke(args=["user", "password", "agent@example.com", "--password", "agent@example.com"])
    assert changed.exit_code != 0 and "do not count" in changed.output
    client_as(app, "agent@example.com", PASSWORD)


def test_crmkit_init_refuses_a_common_admin_password(tmp_path, monkeypatch):
    for name in ("CRMKIT_SECRET_KEY", "CRMKIT_DATABASE_URL", "CRMKIT_LOAD_PLUGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CRMKIT_LOCALE", "en")
    monkeypatch.setenv("CRMKIT_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["init"], env={"CRMKIT_ADMIN_EMAIL": "owner@example.kz", "CRMKIT_ADMIN_PASSWORD": "qwertyuiop123"}
    )
    assert result.exit_code != 0 and "most common" in result.output and "owner@example.kz" in result.output
