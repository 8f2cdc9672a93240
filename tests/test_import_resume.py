"""The big one: 10,000 rows with 1% bad through the real `crmkit import` process, killed with
SIGKILL halfway, then run again: every good row is saved exactly once, every bad row reported.

Marked ``slow`` so it can be deselected (``-m 'not slow'``); it stays in the default run.
"""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from crmkit import db
from crmkit.plugin_state import set_enabled
from tests.conftest import TEST_SECRET, add_user
from tests.plugins.install import write_distribution
from tests.plugins.projects import hooks as projects
from tests.plugins.projects.hooks import Project

ROWS = 10_000
CRMKIT = Path(sys.executable).with_name("crmkit")
REPO = Path(__file__).parent.parent


def bad(number: int) -> bool:
    return number % 100 == 37


def write_file(path: Path) -> set[int]:
    """A UTF-8 CSV of ROWS projects; returns the file row numbers of the bad ones."""
    bad_rows = set()
    with open(path, "w", encoding="utf-8", newline="") as file:
        file.write("Name,Status,Budget,Due,Contact email,Urgent\n")
        for number in range(2, ROWS + 2):
            budget = f"{number % 5000}.{number % 100:02d}"
            if bad(number):
                bad_rows.add(number)
                budget = "-1" if number % 200 == 37 else "lots"
            file.write(f"Проект {number},active,{budget},2026-12-31,p{number}@example.com,да\n")
    return bad_rows


@pytest.fixture
def command_env(make_app, database_url, instance_path, tmp_path):
    """A migrated database with the projects plugin enabled, and the environment of a shell
    where the plugin is installed like any other (a .dist-info naming its entry point)."""
    app = make_app(plugins=[projects])
    add_user(app, is_admin=True, name="Admin")
    set_enabled(db.engine_of(app), "projects", True)
    site = tmp_path / "site-packages"
    site.mkdir()
    write_distribution(site, "crmkit_projects_test", {"projects": "tests.plugins.projects.hooks"})
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(REPO)]),
        "CRMKIT_INSTANCE_PATH": str(instance_path),
        "CRMKIT_DATABASE_URL": database_url,
        "CRMKIT_SECRET_KEY": TEST_SECRET,
        "CRMKIT_LOAD_PLUGINS": "projects",
        "CRMKIT_LOCALE": "en",
    }
    return app, env


def rows_done(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT max(rows_done) FROM core_import")).scalar() or 0


@pytest.mark.slow
def test_import_killed_halfway_resumes_without_duplicates_and_reports_every_bad_row(command_env, database_url, tmp_path):
    app, env = command_env
    path = tmp_path / "projects.csv"
    bad_rows = write_file(path)
    command = [str(CRMKIT), "import", "projects.project", str(path)]
    watcher = create_engine(db.normalise_url(database_url))

    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while rows_done(watcher) < ROWS // 2 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL, "the import ended before it could be interrupted"
    halfway = rows_done(watcher)
    assert 1 < halfway < ROWS

    rerun = subprocess.run(command, check=False, env=env, capture_output=True, text=True, timeout=300)
    watcher.dispose()
    assert rerun.returncode == 1  # bad rows were reported
    assert f"after row {halfway}" in rerun.stderr
    reported = {int(n) for n in re.findall(r"^row (\d+), ", rerun.stderr, re.MULTILINE)}
    assert reported == bad_rows
    with app.app_context():
        session = db.session()
        total = session.execute(select(func.count()).select_from(Project)).scalar_one()
        distinct = session.execute(select(func.count(func.distinct(Project.contact_email)))).scalar_one()
    assert total == distinct == ROWS - len(bad_rows)
