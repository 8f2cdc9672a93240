"""crmkit.testing, the fixtures installed with crmkit: what a plugin's tests can count on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from crmkit import db
from crmkit.core.access.models import Department, Office
from crmkit.testing import FROZEN_AT, FrozenClock
from crmkit.testing.databases import schema_name
from tests.plugins.install import HELLO_TEMPLATE, install_hello, site, write_distribution  # noqa: F401 - site is a fixture

ROOT = Path(__file__).resolve().parents[1]


def test_make_user_puts_a_user_of_the_role_in_a_department_and_office_made_by_name(app, make_user):
    first = make_user("manager", department="Sales", office="Almaty")
    second = make_user("agent", department="Sales", office="Almaty")
    with app.app_context():
        department = db.session().get(Department, first.department_id)
        office = db.session().get(Office, department.office_id)
        assert (first.role, second.role) == ("manager", "agent")
        assert (department.name, office.name) == ("Sales", "Almaty")
        assert second.department_id == first.department_id
        assert len(db.session().exec(select(Department)).all()) == 1


def test_make_user_gives_each_user_an_email_of_their_own_unless_told(make_user):
    emails = {make_user().email, make_user().email, make_user("admin", email="boss@example.kz").email}
    assert len(emails) == 3 and "boss@example.kz" in emails


def test_make_user_names_the_roles_when_asked_for_one_that_does_not_exist(make_user):
    with pytest.raises(ValueError, match="no role named 'wizard'.*admin, agent, manager"):
        make_user("wizard")


def test_client_for_a_role_is_logged_in_as_a_new_user_of_it(client_for):
    client = client_for("manager")
    assert client.get("/account/").status_code == 200


def test_client_for_a_user_logs_in_with_the_password_they_were_made_with(make_user, client_for, client):
    user = make_user(password="another long passphrase")
    assert client_for(user).get("/account/").status_code == 200
    assert client.get("/account/").status_code == 302  # a client of nobody is sent to log in


def test_admin_manager_and_agent_clients_have_their_roles_rights(admin_client, manager_client, agent_client):
    assert admin_client.get("/admin/users").status_code == 200
    assert manager_client.get("/admin/users").status_code == 403
    assert agent_client.get("/admin/users").status_code == 403


def test_api_client_carries_a_token_that_the_api_accepts(api_client, client):
    assert api_client().get("/api/v1/person").status_code == 200
    assert api_client("agent").get("/api/v1/person").status_code == 200
    assert client.get("/api/v1/person").status_code == 401


def test_the_runner_invokes_crmkit_commands_on_the_app(app, runner, make_user):
    created = runner.invoke(args=["user", "create", "dana@example.com", "--password", "a long enough password"])
    assert created.exit_code == 0, created.output
    with app.app_context():
        from crmkit.core.auth.service import find_user

        assert find_user(db.session(), "dana@example.com") is not None


def test_the_frozen_clock_stands_still_until_moved_or_ticked(frozen_clock):
    assert datetime.now(UTC) == FROZEN_AT == frozen_clock.now()
    assert frozen_clock.tick(90) == FROZEN_AT + timedelta(seconds=90)
    assert frozen_clock.tick(timedelta(days=1)) == FROZEN_AT + timedelta(days=1, seconds=90)
    frozen_clock.move_to("2026-12-31T23:59:00")  # no zone: UTC
    assert datetime.now(UTC) == datetime(2026, 12, 31, 23, 59, tzinfo=UTC)


def test_what_crmkit_stores_is_stamped_with_the_frozen_time(frozen_clock, make_user):
    frozen_clock.move_to(datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    created = make_user().created_at
    assert created.replace(tzinfo=created.tzinfo or UTC) == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_a_frozen_clock_outside_pytest_is_a_context_manager():
    with FrozenClock("2027-01-01T00:00:00+05:00") as clock:
        assert clock.now() == datetime(2026, 12, 31, 19, 0, tzinfo=UTC)
    assert datetime.now(UTC) != datetime(2026, 12, 31, 19, 0, tzinfo=UTC)  # the real clock again
    with pytest.raises(RuntimeError, match="not started"):
        clock.tick()


class TestPluginsChosenByFixture:
    @pytest.fixture
    def crmkit_plugins(self):
        return ["tests.plugins.notebook.hooks"]

    def test_the_app_runs_the_plugins_named_by_crmkit_plugins(self, app):
        assert "notebook" in {p.name for p in app.extensions["crmkit"].plugins}

    def test_make_app_runs_them_too_unless_given_others(self, make_app):
        assert "notebook" in {p.name for p in make_app().extensions["crmkit"].plugins}
        assert "notebook" not in {p.name for p in make_app(plugins=[]).extensions["crmkit"].plugins}


def test_an_installed_plugin_is_named_by_its_entry_point(site, make_app, runner):  # noqa: F811
    install_hello(site)
    app = make_app(plugins=["hello"])
    assert "hello" in {p.name for p in app.extensions["crmkit"].plugins}
    assert app.test_cli_runner().invoke(args=["hello", "greet", "Aigerim"]).output == "Hello, Aigerim!\n"


def test_schema_names_carry_the_xdist_worker(monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw7")
    assert schema_name().startswith("test_gw7_")
    monkeypatch.delenv("PYTEST_XDIST_WORKER")
    assert schema_name().startswith("test_main_")


OUT_OF_TREE_CONFTEST = """
import pytest


@pytest.fixture
def crmkit_plugins():
    return ["hello"]  # the entry point this distribution installs
"""

OUT_OF_TREE_TESTS = """
from datetime import UTC, datetime

from crmkit import db
from crmkit_hello.models import Greeting
from sqlmodel import select


def test_the_command_greets_and_stores_the_greeting(app, runner):
    assert runner.invoke(args=["hello", "greet", "Aigerim"]).output == "Hello, Aigerim!\\n"
    with app.app_context():
        assert [g.name for g in db.session().exec(select(Greeting))] == ["Aigerim"]


def test_people_of_each_role_log_in(agent_client, manager_client, admin_client, api_client):
    for client in (agent_client, manager_client, admin_client):
        assert client.get("/account/").status_code == 200
    assert api_client("manager").get("/api/v1/person").status_code == 200


def test_a_user_made_at_a_frozen_time(frozen_clock, make_user):
    user = make_user("manager", department="Complaints", office="Astana")
    assert user.created_at.replace(tzinfo=UTC) == frozen_clock.now()
"""


def test_a_plugin_out_of_the_tree_runs_its_tests_on_crmkit_testing_alone(tmp_path):
    """A plugin folder elsewhere, installed with its entry point, tested with nothing of tests/."""
    project = tmp_path / "crmkit-hello"
    site_folder = project / "site"
    shutil.copytree(HELLO_TEMPLATE, site_folder / "crmkit_hello", ignore=shutil.ignore_patterns("__pycache__"))
    write_distribution(site_folder, "crmkit_hello", {"hello": "crmkit_hello.hooks"})
    (project / "tests").mkdir()
    (project / "tests" / "conftest.py").write_text(textwrap.dedent(OUT_OF_TREE_CONFTEST), encoding="utf-8")
    (project / "tests" / "test_hello.py").write_text(textwrap.dedent(OUT_OF_TREE_TESTS), encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-p no:cacheprovider'\n")
    env = {**os.environ, "PYTHONPATH": str(site_folder)}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "tests"],
        cwd=project, env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "3 passed" in done.stdout


SHARED_FIXTURE_TESTS = """
import os

import pytest


@pytest.fixture(scope="module")
def expensive():
    folder = os.environ["MADE_IN"]
    with open(os.path.join(folder, os.environ["PYTEST_XDIST_WORKER"]), "a") as made:
        made.write("made\\n")


@pytest.mark.parametrize("n", range(8))
def test_shares_the_module_fixture(expensive, n):
    pass
"""


def project_distribution() -> list[str]:
    """The ``--dist`` crmkit's own ``addopts`` choose for ``pytest -n``."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    words = options["addopts"].split()
    return words[words.index("--dist"):][:2]


def test_under_xdist_the_suites_distribution_makes_a_module_fixture_once(tmp_path):
    """pytest -n 2 with the suite's --dist: a module's expensive fixture is not made once per worker."""
    project, made_in = tmp_path / "project", tmp_path / "made"
    project.mkdir(), made_in.mkdir()
    (project / "test_shared.py").write_text(textwrap.dedent(SHARED_FIXTURE_TESTS), encoding="utf-8")
    (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-p no:cacheprovider'\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", *project_distribution()],
        cwd=project, env={**os.environ, "MADE_IN": str(made_in)}, capture_output=True, text=True, timeout=300,
    )
    assert "8 passed" in done.stdout, done.stdout + done.stderr
    made = {path.name: path.read_text().count("made") for path in made_in.iterdir()}
    assert list(made.values()) == [1], made
