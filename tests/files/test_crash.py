"""kill -9 during an upload, at the worst moments, then `crmkit files cleanup`: neither a row
without its file nor a file without its row remains, on the instance folder and on S3 alike."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.files import attach
from crmkit.core.files.models import Attachment
from crmkit.core.files.service import files_storage
from tests.files.conftest import blob_names, new_person

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("upload_and_wait.py")
SETTINGS = ("DATABASE_URL", "SECRET_KEY", "FILES_URL", "FILES_S3_ENDPOINT_URL", "FILES_S3_ACCESS_KEY",
            "FILES_S3_SECRET_KEY", "FILES_S3_REGION")


def killed_at(app, record_id: int, moment: str) -> None:
    settings = {name: app.config.get(name) for name in SETTINGS}
    settings.update(TESTING=True, LOAD_ENTRY_POINTS=False)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CRMKIT_INSTANCE_PATH": app.instance_path}
    process = subprocess.Popen([sys.executable, str(SCRIPT), json.dumps(settings), str(record_id), moment],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
    try:
        said = process.stdout.readline().strip()
        assert said == moment, process.stderr.read()
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def consistent(app) -> tuple[set[str], set[str]]:
    """(blobs without a row, rows' blobs that are missing)."""
    with app.app_context():
        rows = set(db.session().execute(select(Attachment.sha256)).scalars())
        stored = {name.rsplit("/", 1)[-1] for name in blob_names(app) if not name.startswith("thumbs/")}
        return stored - rows, {sha for sha in rows if not files_storage().exists(sha)}


@pytest.mark.parametrize("moment", ["writing", "stored", "committing"])
def test_kill_9_during_an_upload_leaves_nothing_behind_after_cleanup(files_app, moment):
    record_id = new_person(files_app)
    with files_app.app_context():
        attach("person", record_id, b"an earlier file", "earlier.txt")
        db.session().commit()
    killed_at(files_app, record_id, moment)
    result = files_app.test_cli_runner().invoke(args=["files", "cleanup", "--older-than", "0"])
    assert result.exit_code == 0, result.output
    assert consistent(files_app) == (set(), set())
    assert not [name for name in blob_names(files_app) if name.startswith("tmp/")]
    with files_app.app_context():
        assert [a.original_name for a in db.session().execute(select(Attachment)).scalars()] == ["earlier.txt"]


def test_cleanup_leaves_recent_blobs_alone_as_they_may_be_uploads_in_flight(files_app):
    record_id = new_person(files_app)
    killed_at(files_app, record_id, "stored")
    result = files_app.test_cli_runner().invoke(args=["files", "cleanup"])
    assert result.exit_code == 0 and "Unused blobs removed: 0" in result.output
    assert consistent(files_app)[0]


def test_cleanup_reports_rows_whose_file_is_missing_and_deletes_them_when_asked(files_app):
    record_id = new_person(files_app)
    with files_app.app_context():
        row = attach("person", record_id, b"soon gone", "gone.txt")
        db.session().commit()
        files_storage().delete(row.sha256)
    runner = files_app.test_cli_runner()
    reported = runner.invoke(args=["files", "cleanup", "--older-than", "0"])
    assert reported.exit_code == 1 and "gone.txt" in reported.output
    deleted = runner.invoke(args=["files", "cleanup", "--older-than", "0", "--delete-missing"])
    assert deleted.exit_code == 0 and "Attachments without a file deleted: 1." in deleted.output
    assert consistent(files_app) == (set(), set())


def test_cleanup_removes_unused_thumbnails(files_app):
    from crmkit.core.files.storage import thumb_name

    with files_app.app_context():
        files_storage().put_named(thumb_name("ab" * 32, 320), b"jpeg")
    result = files_app.test_cli_runner().invoke(args=["files", "cleanup", "--older-than", "0"])
    assert "Thumbnails removed: 1." in result.output and blob_names(files_app) == set()
