"""Notifications by email through a real SMTP server (aiosmtpd): the kinds a user chose, in their
language, after the commit; the daily digest once per day of their calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from babel.dates import format_date
from flask_babel import force_locale

from crmkit import api, db
from crmkit.core.notifications import mailing, service
from crmkit.i18n import lazy_gettext as _l
from crmkit.i18n import ngettext
from tests.browser.conftest import tr
from tests.test_reminders import smtp_server  # noqa: F401 - the real SMTP server fixture (aiosmtpd)


@pytest.fixture
def app(make_app, smtp_server):
    controller, _inbox = smtp_server
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                    MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz")


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


def choose(app, user, email_kinds=(), digest=False):
    with app.app_context():
        service.save_preferences(user.id, {kind: True for kind in email_kinds}, digest)


def notify(app, user, title, body=None, **options):
    with app.app_context():
        api.notify(user.id, title, body=body, **options)
        db.session().commit()


def test_a_kind_chosen_for_email_arrives_in_the_recipients_language(app, make_user, inbox):
    reader = make_user("agent", locale="kk", email="aigerim@example.kz")
    choose(app, reader, ["general"])
    notify(app, reader, _l("Your profile is saved."), _l("Save"), url="/my-day")
    [message] = inbox.parsed()
    assert inbox.messages[0].rcpt_tos == ["aigerim@example.kz"]
    assert message["Subject"] == tr("kk", "Your profile is saved.")
    text = message.get_body(("plain",)).get_content()
    assert tr("kk", "Save") in text and "https://crm.example.kz/my-day" in text
    assert 'href="https://crm.example.kz/my-day"' in message.get_body(("html",)).get_content()


def test_a_kind_not_chosen_stays_under_the_bell(app, make_user, inbox):
    reader = make_user("agent")
    notify(app, reader, "Only in the app")
    with app.app_context():
        assert service.unread_count(reader.id) == 1
    assert inbox.messages == []


def test_no_mail_goes_out_when_the_transaction_rolls_back(app, make_user, inbox):
    reader = make_user("agent")
    choose(app, reader, ["general"])
    with app.app_context():
        api.notify(reader.id, "Never sent")
        db.session().rollback()
    assert inbox.messages == []


def test_the_digest_goes_once_a_day_with_the_days_unread_notifications(app, make_user, inbox, frozen_clock):
    # FROZEN_AT is Monday 2 March 2026, 09:00 UTC: 14:00 in Almaty (UTC+5)
    reader = make_user("agent", locale="ru", timezone="Asia/Almaty")
    choose(app, reader, digest=True)
    notify(app, reader, "Сделка «Абай 12» выиграна")
    notify(app, reader, "Прочитанное")
    with app.app_context():
        read = service.latest(reader.id)[0]
        service.mark_read(reader.id, read.id)
        assert mailing.send_digests() == 0  # 14:00 in Almaty: before the digest hour
    frozen_clock.move_to("2026-03-02T13:05:00")  # 18:05 in Almaty
    with app.app_context():
        assert mailing.send_digests() == 1
        assert mailing.send_digests() == 0  # a rerun the same day sends nothing
    [message] = inbox.parsed()
    with app.app_context(), force_locale("ru"):
        assert message["Subject"] == ngettext("%(num)d unread notification of %(day)s",
                                              "%(num)d unread notifications of %(day)s", 1,
                                              day=format_date(date(2026, 3, 2), "long", locale="ru"))
    assert message["Subject"].startswith("1 непрочитанное уведомление")
    text = message.get_body(("plain",)).get_content()
    assert "Сделка «Абай 12» выиграна" in text and "Прочитанное" not in text

    frozen_clock.tick(timedelta(hours=3))  # 21:05 the same day, a new notification: still one digest a day
    notify(app, reader, "Поздняя")
    with app.app_context():
        assert mailing.send_digests() == 0
    frozen_clock.move_to("2026-03-03T13:30:00")  # the next evening
    notify(app, reader, "Вторник")
    with app.app_context():
        assert mailing.send_digests() == 1
    assert "Вторник" in inbox.parsed()[1].get_body(("plain",)).get_content()
    assert "Поздняя" not in inbox.parsed()[1].get_body(("plain",)).get_content()


def test_the_digest_job_is_declared_and_runs_by_name(app, make_user, inbox, frozen_clock):
    reader = make_user("agent", timezone="Asia/Almaty")
    choose(app, reader, digest=True)
    frozen_clock.move_to("2026-03-02T14:00:00")
    notify(app, reader, "From the job")
    with app.app_context():
        api.enqueue("core.notifications.digest")
    assert len(inbox.messages) == 1


def test_users_without_the_digest_get_none(app, make_user, inbox, frozen_clock):
    reader = make_user("agent")
    frozen_clock.move_to("2026-03-02T20:00:00")
    notify(app, reader, "No digest for me")
    with app.app_context():
        assert mailing.send_digests() == 0
    assert inbox.messages == []
