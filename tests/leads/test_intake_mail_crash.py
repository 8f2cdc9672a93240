"""A poll killed with SIGKILL after the lead's commit and before the message is flagged, then run
again: still exactly one lead, and the message ends up flagged."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.intake_mail.models import MailMessage
from crmkit.core.leads.models import Lead
from crmkit.testing import TEST_SECRET
from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message, poll  # noqa: F401

REPO = Path(__file__).parent.parent.parent

# The poll as the worker runs it, in a process of its own, made to stop right after the commit
# that wrote a message's lead (and its row) and before the message is flagged, until it is killed.
POLL_AND_HANG = """
import sys, time
from pathlib import Path
from sqlalchemy import event
from sqlalchemy.orm import Session
from crmkit import db
from crmkit.app import create_app
from crmkit.core.intake_mail import polling
from crmkit.core.intake_mail.models import Mailbox, MailMessage

url, secret, mailbox_id, marker = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])

@event.listens_for(Session, "before_flush")
def note_a_taken_message(session, context, instances):
    if any(isinstance(row, MailMessage) for row in session.new):
        session.info["took"] = True

@event.listens_for(Session, "after_commit")
def hang_before_the_flag(session):
    if not session.in_nested_transaction() and session.info.pop("took", False):  # the real commit, not a savepoint's
        marker.write_text("committed")
        time.sleep(600)

app = create_app({"TESTING": True, "SECRET_KEY": secret, "DATABASE_URL": url, "LOAD_ENTRY_POINTS": False})
with app.app_context():
    polling.poll(db.session().get(Mailbox, mailbox_id))
"""


def count(app, model) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model)).scalar_one()


def test_a_poll_killed_between_the_commit_and_the_flag_still_gives_one_lead(app, database_url, tmp_path, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)
    marker = tmp_path / "committed"
    script = tmp_path / "poll_and_hang.py"
    script.write_text(POLL_AND_HANG)
    env = {**os.environ, "PYTHONPATH": str(REPO), "CRMKIT_INSTANCE_PATH": str(tmp_path / "instance")}

    process = subprocess.Popen([sys.executable, str(script), database_url, TEST_SECRET, str(mailbox_id), str(marker)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    _, stderr = process.communicate()
    assert process.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    assert count(app, Lead) == 1  # committed before the kill
    assert "$CrmkitLead" not in mail_server.flags(imap_user)[1]  # never flagged

    rerun = poll(app, mailbox_id)

    assert rerun.ok and not rerun.outcomes and rerun.marked_late == 1
    assert count(app, Lead) == 1 and count(app, MailMessage) == 1
    assert "$CrmkitLead" in mail_server.flags(imap_user)[1]
    assert not poll(app, mailbox_id).marked_late


def test_a_poll_killed_before_its_commit_takes_the_message_next_time(app, database_url, tmp_path, mail_server, imap_user):
    """Killed while writing (the commit never happened): nothing was kept, so the rerun takes it."""
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)
    script = tmp_path / "poll_and_die.py"
    script.write_text(POLL_AND_HANG.replace('@event.listens_for(Session, "after_commit")', '@event.listens_for(Session, "after_flush")')
                      .replace("def hang_before_the_flag(session):", "def hang_before_the_flag(session, context):"))
    marker = tmp_path / "flushed"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CRMKIT_INSTANCE_PATH": str(tmp_path / "instance")}

    process = subprocess.Popen([sys.executable, str(script), database_url, TEST_SECRET, str(mailbox_id), str(marker)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    _, stderr = process.communicate()
    assert process.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    assert count(app, Lead) == 0

    rerun = poll(app, mailbox_id)

    assert rerun.outcomes == {"lead": 1} and count(app, Lead) == 1
