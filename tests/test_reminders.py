"""Reminders on My day and by mail through a real SMTP server (aiosmtpd on a free local port):
sent once, to the owner, in their language and time zone; a failed send is tried again."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from babel.dates import format_date
from sqlalchemy import select

from crmkit import db, jobs, mail
from crmkit.core.activities.models import Activity
from tests.browser.conftest import tr
from tests.conftest import csrf_token
from tests.people import client_as, person
from tests.test_myday import add, html, section_html


class Inbox:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"

    def parsed(self):
        return [message_from_bytes(m.original_content, policy=policy.default) for m in self.messages]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app(make_app, smtp_server):
    controller, _inbox = smtp_server
    return make_app(
        DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
        MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz",
    )


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


@pytest.fixture
def agent(app):
    return person(app, "agent@example.com", name="Aigerim", timezone="Asia/Almaty", locale="en")


def reminded_task(app, user_id, subject="Call Dana back", remind=timedelta(minutes=-1), **fields) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    return add(app, user_id, kind="task", subject=subject, happened_at=now + timedelta(hours=1),
               reminder_at=now + remind, **fields)


def run_job(app):
    with app.app_context():
        jobs.enqueue("core.myday.send_reminders")


def reminded_at(app, activity_id):
    with app.app_context():
        return db.session().get(Activity, activity_id).reminded_at


def test_mail_sends_text_and_html_with_a_cyrillic_subject_encoded_for_any_relay(app, inbox):
    with app.app_context():
        assert mail.send("dana@example.kz", "Напоминание: звонок", "Текст письма", "<p>Текст письма</p>")
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["dana@example.kz"] and envelope.mail_from == "crm@example.kz"
    raw = envelope.original_content
    assert raw.isascii() and b"=?utf-8?" in raw.split(b"\r\n\r\n", 1)[0].lower()
    message = inbox.parsed()[0]
    assert message["Subject"] == "Напоминание: звонок"
    assert message.get_body(("plain",)).get_content().strip() == "Текст письма"
    assert message.get_body(("html",)).get_content().strip() == "<p>Текст письма</p>"


def test_mail_is_off_without_an_smtp_host_and_says_so_in_the_log(make_app, caplog):
    app = make_app(SMTP_HOST=None)
    with app.app_context(), caplog.at_level(logging.INFO, logger="crmkit.mail"):
        assert mail.send("dana@example.kz", "Hello", "Text") is False
    assert "CRMKIT_SMTP_HOST is not set" in caplog.text


def test_a_due_reminder_is_shown_on_my_day_until_dismissed(make_app, inbox):
    app = make_app(DEFAULT_LOCALE="en", SMTP_HOST=None)
    agent = person(app, "agent@example.com", timezone="Asia/Almaty", locale="en")
    task_id = reminded_task(app, agent)
    reminded_task(app, agent, subject="Not yet", remind=timedelta(hours=1))
    client = client_as(app, "agent@example.com")
    reminders = section_html(html(client), "reminders")
    assert "Call Dana back" in reminders and "Not yet" not in reminders
    client.post(f"/my-day/reminders/{task_id}/dismiss", data={"csrf_token": csrf_token(client, "/my-day")})
    assert section_html(html(client), "reminders") == ""
    assert reminded_at(app, task_id) is not None


def test_nobody_can_dismiss_someone_elses_reminder(app, agent):
    task_id = reminded_task(app, agent)
    person(app, "other@example.com")
    other = client_as(app, "other@example.com")
    response = other.post(f"/my-day/reminders/{task_id}/dismiss", data={"csrf_token": csrf_token(other, "/my-day")})
    assert response.status_code == 404 and reminded_at(app, task_id) is None


def test_the_job_mails_a_due_reminder_to_its_owner_with_links(app, agent, inbox):
    client_id = add(app, agent, "person", name="Dana Client")
    task_id = reminded_task(app, agent, about_entity="person", about_id=client_id)
    run_job(app)
    assert [m.rcpt_tos for m in inbox.messages] == [["agent@example.com"]]
    message = inbox.parsed()[0]
    assert message["Subject"] == "Reminder: Call Dana back"
    text = message.get_body(("plain",)).get_content()
    assert "About: Dana Client" in text and f"https://crm.example.kz/activity/{task_id}" in text
    assert f'href="https://crm.example.kz/person/{client_id}"' in message.get_body(("html",)).get_content()
    assert reminded_at(app, task_id) is not None


def test_a_russian_user_gets_the_reminder_in_russian_at_their_local_time(app, inbox):
    owner = person(app, "aigerim@example.kz", timezone="Asia/Almaty", locale="ru")
    due = datetime(2031, 5, 15, 5, 0, tzinfo=UTC)  # 10:00 in Almaty
    add(app, owner, kind="meeting", subject="Показ квартиры", happened_at=due,
        reminder_at=datetime.now(UTC) - timedelta(minutes=1))
    run_job(app)
    message = inbox.parsed()[0]
    text = message.get_body(("plain",)).get_content()
    assert message["To"] == "aigerim@example.kz"
    assert f"{format_date(due.date(), 'long', locale='ru')}, 10:00" in text and "15 мая 2031" in text
    assert message["Subject"] == tr("ru", "Reminder: %(subject)s", subject="Показ квартиры")
    assert f"{tr('ru', 'Starts')}: 15 мая 2031" in text


def test_a_reminder_is_mailed_once_however_often_the_job_runs(app, agent, inbox):
    reminded_task(app, agent)
    run_job(app)
    run_job(app)
    with app.app_context():
        app.test_cli_runner().invoke(args=["reminders", "send"])
    assert len(inbox.messages) == 1


def test_reminders_not_yet_due_or_of_finished_tasks_are_not_mailed(app, agent, inbox):
    reminded_task(app, agent, subject="Later", remind=timedelta(minutes=10))
    reminded_task(app, agent, subject="Done already", status="done")
    reminded_task(app, agent, subject="Stale", remind=timedelta(days=-8))
    run_job(app)
    assert inbox.messages == []


def test_a_failed_send_is_logged_and_tried_again_on_the_next_run(make_app, smtp_server, caplog):
    controller, inbox = smtp_server
    app = make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())
    agent = person(app, "agent@example.com", locale="en")
    task_id = reminded_task(app, agent)
    with caplog.at_level(logging.ERROR, logger="crmkit.myday.reminders"):
        run_job(app)  # nobody listens on that port
    assert "failed; the next run tries again" in caplog.text and reminded_at(app, task_id) is None
    app.config["SMTP_PORT"] = controller.port
    run_job(app)
    assert len(inbox.messages) == 1 and reminded_at(app, task_id) is not None


def test_crmkit_reminders_send_does_one_pass_and_reports_it(app, agent, inbox):
    reminded_task(app, agent)
    result = app.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 0, result.output
    assert "Reminders sent: 1, failed: 0." in result.output and len(inbox.messages) == 1


def test_crmkit_reminders_send_fails_clearly_while_mail_is_off(make_app):
    result = make_app(SMTP_HOST=None).test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1 and "CRMKIT_SMTP_HOST" in result.output


def test_the_job_leaves_reminders_on_my_day_while_mail_is_off(make_app):
    app = make_app(SMTP_HOST=None, JOBS_IMMEDIATE=True)
    agent = person(app, "agent@example.com")
    task_id = reminded_task(app, agent)
    run_job(app)
    assert reminded_at(app, task_id) is None
    with app.app_context():
        assert db.session().execute(select(Activity.id)).scalars().all() == [task_id]
