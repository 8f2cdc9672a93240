"""A rule mails a deal's owner from an email template, in the owner's language, through a real
SMTP server (aiosmtpd on a free local port) once the move is saved; a broken template or one
written for another entity is refused when the rule is saved."""

from __future__ import annotations

import pytest
from aiosmtpd.controller import Controller

from crmkit import db
from crmkit.core.automation import engine, rules
from crmkit.core.mail_templates.models import MailTemplate
from crmkit.entities.service import Records
from tests.automation.conftest import ADMIN, move_deal, new_deal, runs, save_rule
from tests.pipelining import user_by_email
from tests.people import person
from tests.test_reminders import Inbox, free_port

TEXTS = {
    "en": {"subject": "Deal {{ record.title }} is in negotiation", "body": "<p>Hello {{ recipient.name }}, call them today.</p>"},
    "ru": {"subject": "Сделка {{ record.title }} на переговорах", "body": "<p>Здравствуйте, {{ recipient.name }}! Позвоните сегодня.</p>"},
}


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def app(make_app, smtp_server):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, AUTOMATION_CACHE_SECONDS=0, SMTP_HOST="127.0.0.1",
                    SMTP_PORT=smtp_server[0].port, MAIL_FROM="CRM <crm@example.kz>", BASE_URL="https://crm.example.kz")


def template(app, key="negotiation", entity="deal", texts=TEXTS):
    with app.app_context():
        session = db.session()
        session.add(MailTemplate(key=key, entity=entity, name=key, texts=texts))
        session.commit()


def mail_rule(sales, key="negotiation"):
    return {"name": "Tell the owner", "entity": "deal", "trigger": {"type": "state_entered", "state": str(sales["Negotiation"])},
            "actions": [{"type": "send_email", "template": key, "to": "owner"}]}


def test_a_rule_mails_the_owner_from_a_template_in_the_owners_language(app, admin_id, sales, smtp_server):
    inbox = smtp_server[1]
    person(app, "aigerim@example.com", name="Айгерим", locale="ru")
    template(app)
    save_rule(app, mail_rule(sales))
    deal_id = new_deal(app, "aigerim@example.com", sales, title="Квартира на Абая")

    move_deal(app, "aigerim@example.com", deal_id, sales["Negotiation"])

    [message] = inbox.parsed()
    assert message["To"] == "aigerim@example.com"
    assert message["Subject"] == "Сделка Квартира на Абая на переговорах"
    assert "Здравствуйте, Айгерим! Позвоните сегодня." in message.get_body(("plain",)).get_content()
    [run] = runs(app, record_id=deal_id)
    assert run.result == "ok"


def test_the_mail_waits_for_the_commit_and_never_leaves_on_a_rollback(app, admin_id, sales, smtp_server):
    inbox = smtp_server[1]
    person(app, "dana@example.com")
    template(app)
    save_rule(app, mail_rule(sales))
    deal_id = new_deal(app, "dana@example.com", sales)
    with app.test_request_context():
        session = db.session()
        deals = Records(app.extensions["crmkit"].entities.get("deal"), user_by_email(session, "dana@example.com"), session)
        deal = deals.get(deal_id)
        deal.stage_id = sales["Negotiation"]
        engine.on_event("after_transition", deals.entity, deal, {"stage_id": [sales["Qualification"], sales["Negotiation"]]})
        assert inbox.messages == []  # the rule ran in its savepoint: nothing is sent before the commit
        session.rollback()

    assert inbox.messages == []


@pytest.mark.parametrize(("texts", "entity", "reason"), [
    ({"en": {"subject": "Hi {{ record.budget }}", "body": "<p>x</p>"}}, "deal", "is broken"),
    ({"en": {"subject": "Hi {% if %}", "body": "<p>x</p>"}}, "deal", "is broken"),
    (TEXTS, "person", "is written for another kind of record"),
])
def test_a_broken_template_is_refused_when_the_rule_is_saved(app, admin_id, sales, texts, entity, reason):
    template(app, key="bad", entity=entity, texts=texts)
    with app.test_request_context():
        session = db.session()
        with pytest.raises(rules.RuleInvalid) as refused:
            rules.save(session, mail_rule(sales, "bad"), user_by_email(session, ADMIN))
    [(_path, message)] = refused.value.problems
    assert message.startswith("Action 1 (Send an email from a template): The email template «bad» ")
    assert reason in message
