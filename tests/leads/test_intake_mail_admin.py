"""The lead mailboxes page: admins add mailboxes, test them, check them now; errors are sentences."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.intake_mail.models import Mailbox
from crmkit.core.leads.models import Lead
from tests.conftest import csrf_token
from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message, poll  # noqa: F401

PAGE = "/admin/lead-mailboxes/"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def form(server, user, **changes) -> dict:
    return {"name": "Продажи", "host": server.host, "port": str(server.port), "security": "none", "username": user,
            "password": server.passwords[user], "folder": "INBOX", "alias": "sales@agency.kz", "done_action": "flag",
            "done_keyword": "$CrmkitLead", "poll_minutes": "5", "max_message_kb": "10240", "active": "y", **changes}


def mailboxes(app) -> list[Mailbox]:
    with app.app_context():
        return list(db.session().execute(select(Mailbox).order_by(Mailbox.id)).scalars())


def post(client, url, data):
    return client.post(url, data={"csrf_token": csrf_token(client, PAGE), **data}, follow_redirects=True)


def test_an_admin_adds_a_mailbox_whose_password_is_kept_encrypted_and_never_shown(app, admin_client, mail_server, imap_user):
    answer = post(admin_client, PAGE + "new", form(mail_server, imap_user))

    assert answer.status_code == 200 and "Продажи" in answer.get_data(as_text=True)
    [mailbox] = mailboxes(app)
    assert (mailbox.username, mailbox.alias, mailbox.port) == (imap_user, "sales@agency.kz", mail_server.port)
    secret = mail_server.passwords[imap_user]
    assert mailbox.password_sealed and secret not in mailbox.password_sealed
    for url in (PAGE, f"{PAGE}{mailbox.id}"):
        assert secret not in admin_client.get(url).get_data(as_text=True)


def test_save_and_test_says_the_connection_works(app, admin_client, mail_server, imap_user):
    mail_server.append(imap_user, message())

    page = post(admin_client, PAGE + "new", {**form(mail_server, imap_user), "action": "test"}).get_data(as_text=True)

    assert "Connected. Messages in the folder “INBOX”: 1, not taken yet: 1." in page


def test_wrong_credentials_give_a_clear_error_on_the_page(app, admin_client, mail_server, imap_user):
    page = post(admin_client, PAGE + "new", {**form(mail_server, imap_user, password="wrong"), "action": "test"}).get_data(as_text=True)

    assert "The connection test failed: The server refused the user name or password" in page


def test_wrong_credentials_in_a_poll_are_kept_on_the_mailbox_and_logged_not_raised(app, admin_client, mail_server, imap_user, caplog):
    mailbox_id = make_mailbox(app, mail_server, imap_user, password="wrong")

    with caplog.at_level(logging.WARNING, logger="crmkit.intake_mail"):
        result = poll(app, mailbox_id)

    assert result.kind == "login"
    assert any("refused the user name or password" in r.getMessage() for r in caplog.records if r.name == "crmkit.intake_mail")
    [mailbox] = mailboxes(app)
    assert mailbox.last_error.startswith("The server refused the user name or password") and mailbox.last_polled_at
    assert "Error: The server refused the user name or password" in admin_client.get(PAGE).get_data(as_text=True)


def test_an_unreachable_server_is_a_clear_error(app, mail_server, imap_user):
    from tests.leads.mail_server import free_port

    mailbox_id = make_mailbox(app, mail_server, imap_user, port=free_port())

    result = poll(app, mailbox_id)

    assert result.kind == "connect" and "Could not connect to 127.0.0.1" in result.error


def test_bad_settings_are_refused_with_a_message_per_field(app, admin_client, mail_server, imap_user):
    answer = post(admin_client, PAGE + "new", form(mail_server, imap_user, port="0", host="imap://mail.kz:993",
                                                  done_action="move", done_folder="", alias="not-an-address"))

    page = answer.get_data(as_text=True)
    assert answer.status_code == 422 and mailboxes(app) == []
    for text in ("Enter a port from 1 to 65535.", "without imap:// or a port", "Enter the folder taken messages are moved to.",
                 "Enter an email address."):
        assert text in page


def test_a_blank_password_on_edit_keeps_the_saved_one(app, admin_client, mail_server, imap_user):
    mailbox_id = make_mailbox(app, mail_server, imap_user)
    sealed = mailboxes(app)[0].password_sealed

    post(admin_client, f"{PAGE}{mailbox_id}", {**form(mail_server, imap_user, name="Новое имя"), "password": "", "version": "1"})

    [mailbox] = mailboxes(app)
    assert (mailbox.name, mailbox.password_sealed, mailbox.version) == ("Новое имя", sealed, 2)


def test_a_stale_edit_is_refused_with_409(app, admin_client, mail_server, imap_user):
    mailbox_id = make_mailbox(app, mail_server, imap_user)
    post(admin_client, f"{PAGE}{mailbox_id}", {**form(mail_server, imap_user, name="Первое"), "version": "1"})

    answer = post(admin_client, f"{PAGE}{mailbox_id}", {**form(mail_server, imap_user, name="Второе"), "version": "1"})

    assert answer.status_code == 409 and mailboxes(app)[0].name == "Первое"


def test_check_now_takes_new_messages(make_app, admin_client_for, mail_server, imap_user):
    app = make_app(JOBS_IMMEDIATE=True, DEFAULT_LOCALE="en")
    client = admin_client_for(app)
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    page = post(client, f"{PAGE}{mailbox_id}/poll", {}).get_data(as_text=True)

    with app.app_context():
        [lead] = db.session().execute(select(Lead)).scalars().all()
    assert f'href="/lead/{lead.id}"' in page


def test_agents_may_not_see_or_change_mailboxes(app, client_for, mail_server, imap_user):
    mailbox_id = make_mailbox(app, mail_server, imap_user)
    agent = client_for("agent")

    assert agent.get(PAGE).status_code == 403
    assert agent.post(f"{PAGE}{mailbox_id}/remove", data={}).status_code in (400, 403)
    assert len(mailboxes(app)) == 1


def test_the_error_is_in_the_admins_language(make_app, admin_client_for, mail_server, imap_user):
    app = make_app(DEFAULT_LOCALE="ru")
    client = admin_client_for(app)

    page = post(client, PAGE + "new", {**form(mail_server, imap_user, password="wrong"), "action": "test"}).get_data(as_text=True)

    assert "Проверка соединения не прошла: Сервер не принял имя пользователя или пароль" in page
