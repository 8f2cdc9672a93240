"""send(): after the commit, through a real SMTP server (aiosmtpd), in the recipient's language."""

from __future__ import annotations

import pytest

from crmkit import db
from crmkit.core.mail_templates import send
from tests.mail_templates.making import a_deal, a_template
from tests.test_reminders import smtp_server  # noqa: F401 - the real SMTP server fixture (aiosmtpd)


@pytest.fixture
def app(make_app, smtp_server):
    controller, _inbox = smtp_server
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port,
                    MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz")


@pytest.fixture
def inbox(smtp_server):
    return smtp_server[1]


@pytest.fixture
def world(app, make_user):
    admin = make_user("admin", name="Dana Admin")
    return admin, a_deal(app, admin.email), a_template(app)


@pytest.mark.parametrize(("language", "subject"), [("ru", "Сделка Abay 12"), ("kk", "Мәміле Abay 12")])
def test_a_user_gets_the_template_in_their_language_after_the_commit(app, world, make_user, inbox, language, subject):
    admin, deal, _template = world
    owner = make_user("agent", locale=language, name="Aigerim", email=f"aigerim-{language}@example.kz")
    with app.app_context():
        send("deal_won", deal, entity="deal", to_user=owner, sender=admin)
        assert inbox.messages == []  # nothing before the commit
        db.session().commit()
    [message] = inbox.parsed()
    assert inbox.messages[0].rcpt_tos == [f"aigerim-{language}@example.kz"]
    assert message["Subject"] == subject
    assert "Aigerim" in message.get_body(("html",)).get_content()
    assert "https://crm.example.kz/deal/" in message.get_body(("plain",)).get_content()


def test_an_address_gets_the_instance_default_language(app, world, inbox):
    admin, deal, _template = world
    with app.app_context():
        send("deal_won", deal, entity="deal", to_address="client@example.com", sender=admin)
        db.session().commit()
    assert inbox.parsed()[0]["Subject"] == "Deal Abay 12 for client@example.com"


def test_a_rollback_sends_nothing(app, world, make_user, inbox):
    _admin, deal, _template = world
    with app.app_context():
        send("deal_won", deal, entity="deal", to_address="client@example.com")
        db.session().rollback()
    assert inbox.messages == []


def test_a_missing_template_or_recipient_is_refused_at_once(app, world):
    _admin, deal, _template = world
    with app.app_context():
        with pytest.raises(LookupError, match="no_such"):
            send("no_such", deal, entity="deal", to_address="client@example.com")
        with pytest.raises(ValueError):
            send("deal_won", deal, entity="deal")
