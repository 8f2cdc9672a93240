"""Answers to a known lead go to its timeline as an inbound email, not into a new lead."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.intake_mail import threads
from crmkit.core.leads.models import Lead
from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message, poll  # noqa: F401


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def leads(app) -> list[Lead]:
    with app.app_context():
        return list(db.session().execute(select(Lead).order_by(Lead.id)).scalars())


def emails_about(app, lead_id: int) -> list[Activity]:
    with app.app_context():
        return list(db.session().execute(select(Activity).where(
            Activity.about_entity == "lead", Activity.about_id == lead_id).order_by(Activity.id)).scalars())


def first_lead(app, server, user) -> tuple[int, int]:
    server.append(user, message())
    mailbox_id = make_mailbox(app, server, user, alias="sales@agency.kz")
    poll(app, mailbox_id)
    return mailbox_id, leads(app)[0].id


def test_a_reply_in_the_thread_lands_on_the_leads_timeline(app, admin_client, mail_server, imap_user):
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    mail_server.append(imap_user, message(
        subject="Re: Ищу квартиру", body="И ещё: бюджет до 40 млн.", sender="Aigul Work <aigul@work.kz>",
        message_id="<m2@work.kz>", headers={"In-Reply-To": "<m1@example.kz>", "References": "<m1@example.kz>"}))

    result = poll(app, mailbox_id)

    assert result.outcomes == {"reply": 1} and len(leads(app)) == 1
    [email] = emails_about(app, lead_id)
    assert (email.kind, email.direction, email.subject) == ("email", "inbound", "Re: Ищу квартиру")
    assert (email.body, email.their_address, email.our_address) == ("И ещё: бюджет до 40 млн.", "aigul@work.kz", "sales@agency.kz")
    page = admin_client.get(f"/lead/{lead_id}").get_data(as_text=True)
    assert "Re: Ищу квартиру" in page


def test_a_new_message_from_the_address_of_an_open_lead_goes_to_that_lead(app, mail_server, imap_user):
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    mail_server.append(imap_user, message(subject="Ещё вопрос", message_id="<m3@example.kz>"))

    result = poll(app, mailbox_id)

    assert result.outcomes == {"reply": 1} and len(leads(app)) == 1
    assert [email.subject for email in emails_about(app, lead_id)] == ["Ещё вопрос"]


def test_the_same_address_after_the_lead_was_closed_makes_a_new_lead(app, mail_server, imap_user):
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    with app.app_context():
        lead = db.session().get(Lead, lead_id)
        lead.status, lead.rejection_reason = "rejected", "not_target"
        db.session().commit()
    mail_server.append(imap_user, message(subject="Снова ищу", message_id="<m4@example.kz>"))

    result = poll(app, mailbox_id)

    assert result.outcomes == {"lead": 1} and len(leads(app)) == 2


def test_a_thread_reply_reaches_even_a_closed_lead(app, mail_server, imap_user):
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    with app.app_context():
        db.session().get(Lead, lead_id).status = "converted"
        db.session().commit()
    mail_server.append(imap_user, message(subject="Re: спасибо", message_id="<m5@example.kz>", headers={"In-Reply-To": "<m1@example.kz>"}))

    assert poll(app, mailbox_id).outcomes == {"reply": 1}
    assert len(emails_about(app, lead_id)) == 1


def test_an_answer_to_a_message_sent_about_a_lead_finds_it(app, mail_server, imap_user):
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    with app.app_context():
        threads.remember_sent(lead_id, "<offer-1@agency.kz>", subject="Подборка квартир")
        db.session().commit()
    mail_server.append(imap_user, message(subject="Re: Подборка квартир", sender="someone@else.kz",
                                          message_id="<m6@else.kz>", headers={"References": "<x@y> <offer-1@agency.kz>"}))

    assert poll(app, mailbox_id).outcomes == {"reply": 1}
    assert [email.their_address for email in emails_about(app, lead_id)] == ["someone@else.kz"]


def test_an_out_of_office_answer_to_nobody_is_skipped_with_its_reason(app, mail_server, imap_user):
    mail_server.append(imap_user, message(sender="bob@example.kz", headers={"Auto-Submitted": "auto-replied"}))
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    result = poll(app, mailbox_id)

    assert result.outcomes == {"skipped": 1} and leads(app) == []
    assert "$CrmkitLead" in mail_server.flags(imap_user)[1]


def test_an_answer_written_by_one_of_us_is_an_outbound_email(app, make_user, mail_server, imap_user):
    agent = make_user("agent", email="dana@agency.kz")
    mailbox_id, lead_id = first_lead(app, mail_server, imap_user)
    mail_server.append(imap_user, message(subject="Re: Ищу квартиру", sender=f"Dana <{agent.email}>", to="Aigul <aigul@example.kz>",
                                          message_id="<a1@agency.kz>", headers={"In-Reply-To": "<m1@example.kz>",
                                                                                "Cc": "sales@agency.kz"}))

    poll(app, mailbox_id)

    assert [(e.direction, e.their_address) for e in emails_about(app, lead_id)] == [("outbound", "aigul@example.kz")]
