"""`crmkit intake-mail`: list the mailboxes and check them now from a shell."""

from __future__ import annotations

import pytest

from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message  # noqa: F401


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def test_poll_takes_new_messages_and_says_what_they_became(app, runner, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    result = runner.invoke(args=["intake-mail", "poll"])

    assert result.exit_code == 0, result.output
    assert f"{mailbox_id} {imap_user}: lead=1" in result.output


def test_poll_exits_with_1_naming_a_mailbox_that_cannot_be_read(app, runner, mail_server, imap_user):
    mailbox_id = make_mailbox(app, mail_server, imap_user, password="wrong")

    result = runner.invoke(args=["intake-mail", "poll", "--mailbox", str(mailbox_id)])

    assert result.exit_code == 1
    assert "The server refused the user name or password" in result.output


def test_list_shows_each_mailbox_and_its_last_error(app, runner, mail_server, imap_user):
    make_mailbox(app, mail_server, imap_user, password="wrong")
    runner.invoke(args=["intake-mail", "poll"])

    result = runner.invoke(args=["intake-mail", "list"])

    assert result.exit_code == 0 and imap_user in result.output and "refused the user name" in result.output
