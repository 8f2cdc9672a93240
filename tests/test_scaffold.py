"""`crmkit plugin new NAME` writes a plugin that installs with pip and passes its own tests.

The scaffold is written by the command, installed with pip into a folder of its own (never
the venv) and its tests run by pytest in a subprocess on this run's engine, as its author would.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlmodel import SQLModel

from crmkit import scaffold
from crmkit.cli import cli


def shell(args, **options):
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, **options)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The plugin ``shelf``, written by the command and installed by pip into ``site``."""
    root = tmp_path_factory.mktemp("scaffold")
    project, site = root / "shelf", root / "site"
    result = CliRunner().invoke(cli, ["plugin", "new", "shelf", "--path", str(project)], env={"CRMKIT_LOCALE": "en"})
    assert result.exit_code == 0, result.output
    shell([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(project)])
    return project, site, result.output


def test_the_command_says_what_to_do_next(installed):
    project, _site, output = installed
    assert f"pip install -e {project}" in output and "crmkit plugins enable shelf" in output
    assert "ru: 11 of 11 translated" in output


def test_the_installed_package_carries_its_entry_point_templates_catalogs_and_migration(installed):
    _project, site, _output = installed
    (info,) = site.glob("crmkit_shelf-*.dist-info")
    assert "shelf = crmkit_shelf.hooks" in (info / "entry_points.txt").read_text()
    package = site / "crmkit_shelf"
    assert (package / "templates" / "shelf" / "panel.html").is_file()
    assert {p.parent.parent.name for p in package.glob("translations/*/LC_MESSAGES/messages.mo")} == {"ru", "kk", "en"}
    (migration,) = package.glob("migrations/versions/*_shelf_item_table.py")
    assert "op.create_table('shelf_item'" in migration.read_text()


def test_the_installed_plugin_passes_its_own_tests(installed):
    project, site, _output = installed
    # A run of its own (not this one's xdist worker or options); CRMKIT_TEST_DATABASE_URL passes on.
    # Of the venv's pytest plugins only crmkit's is loaded: the others only slow the start.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    env.update(PYTHONPATH=str(site), PYTEST_DISABLE_PLUGIN_AUTOLOAD="1")
    # -P: the package is imported from the install, not from the project folder beside the tests
    command = [sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "crmkit.testing.plugin"]
    output = shell(command, cwd=project, env=env)
    assert "3 passed" in output


def test_another_entity_gets_its_names_and_labels_left_to_translate(tmp_path):
    _folder, counts = scaffold.create("grievances", tmp_path / "grievances", entity="grievance")
    hooks = (tmp_path / "grievances" / "crmkit_grievances" / "hooks.py").read_text()
    assert "class Grievance(api.Record, table=True)" in hooks and 'label_plural=_l("Grievances")' in hooks
    assert "GRIEVANCE = api.EntityType(" in hooks and '__tablename__ = "grievances_grievance"' in hooks
    ru = next(c for c in counts if c.language == "ru")
    assert ru.untranslated == 2  # "Grievance" and "Grievances": words the scaffold can't know


def test_writing_a_plugin_leaves_nothing_imported_behind(tmp_path):
    scaffold.create("ledger", tmp_path / "ledger")
    assert not any(name.startswith("crmkit_ledger") for name in sys.modules)
    assert "ledger_item" not in SQLModel.metadata.tables


@pytest.mark.parametrize(
    "args, problem",
    [
        (["Shelf"], "lowercase letters"),
        (["2shelf"], "lowercase letters"),
        (["shelf", "--entity", "class"], "entity name 'class'"),
        (["auth"], "taken by a built-in plugin"),
    ],
)
def test_names_that_cannot_be_a_plugin_are_refused(tmp_path, args, problem):
    result = CliRunner().invoke(cli, ["plugin", "new", *args, "--path", str(tmp_path / "out")])
    assert result.exit_code == 1 and problem in result.output
    assert not (tmp_path / "out").exists()


def test_a_folder_in_use_is_left_alone(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["plugin", "new", "shelf", "--path", str(tmp_path)])
    assert result.exit_code == 1 and "not empty" in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]

