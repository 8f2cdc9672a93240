"""The mailbox channel against a real Dovecot: each new message becomes exactly one lead."""

from __future__ import annotations

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.intake_mail.models import Mailbox, MailMessage
from crmkit.core.leads.models import Lead
from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message, poll  # noqa: F401


def leads(app) -> list[Lead]:
    with app.app_context():
        return list(db.session().execute(select(Lead).order_by(Lead.id)).scalars())


def test_a_new_message_becomes_one_lead_with_sender_subject_body_and_phone(app, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user, alias="sales@agency.kz")

    result = poll(app, mailbox_id)

    assert result.ok and result.outcomes == {"lead": 1}
    [lead] = leads(app)
    assert (lead.channel, lead.name, lead.emails, lead.email_key) == ("email", "Айгуль Сапарова", "aigul@example.kz", "aigul@example.kz")
    assert lead.request.startswith("Ищу квартиру\n\nЗдравствуйте! Нужна 2-комнатная")
    assert (lead.phones, lead.phone_key) == ("8 701 123 45 67", "+77011234567")
    assert lead.external_id == "<m1@example.kz>"
    assert lead.raw["mailbox"] == "sales@agency.kz" and lead.raw["subject"] == "Ищу квартиру"


def test_the_message_is_flagged_and_a_second_poll_takes_nothing(app, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    poll(app, mailbox_id)
    again = poll(app, mailbox_id)

    assert again.ok and not again.outcomes and again.marked_late == 0
    assert len(leads(app)) == 1
    assert "$CrmkitLead" in mail_server.flags(imap_user)[1]


def test_uidvalidity_and_the_last_uid_are_recorded(app, mail_server, imap_user):
    for number in range(3):
        mail_server.append(imap_user, message(message_id=f"<n{number}@example.kz>", sender=f"p{number}@example.kz"))
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    poll(app, mailbox_id)

    with app.app_context():
        mailbox = db.session().get(Mailbox, mailbox_id)
        assert mailbox.uidvalidity and mailbox.last_uid == 3 and mailbox.taken_count == 3
        assert mailbox.last_error is None and mailbox.last_success_at is not None
    assert len(leads(app)) == 3


def test_in_move_mode_taken_messages_leave_the_folder(app, mail_server, imap_user):
    mail_server.create_folder(imap_user, "Обработано & taken")  # modified UTF-7 on the wire
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user, done_action="move", done_folder="Обработано & taken")

    result = poll(app, mailbox_id)

    assert result.ok and result.outcomes == {"lead": 1}
    assert mail_server.uids(imap_user) == [] and len(mail_server.uids(imap_user, "Обработано & taken")) == 1


def test_a_missing_done_folder_is_a_clear_error_and_nothing_is_taken(app, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user, done_action="move", done_folder="Заявки")

    result = poll(app, mailbox_id)

    assert result.kind == "folder" and "Заявки" in result.error
    assert leads(app) == []


def test_by_default_only_messages_arriving_after_the_first_poll_are_taken(app, mail_server, imap_user):
    mail_server.append(imap_user, message(message_id="<old@example.kz>"))
    mailbox_id = make_mailbox(app, mail_server, imap_user, take_existing=False)

    first = poll(app, mailbox_id)
    mail_server.append(imap_user, message(message_id="<new@example.kz>", sender="new@example.kz"))
    second = poll(app, mailbox_id)

    assert not first.outcomes and second.outcomes == {"lead": 1}
    assert [lead.external_id for lead in leads(app)] == ["<new@example.kz>"]


def test_the_same_message_in_two_mailboxes_is_one_lead(app, mail_server):
    one, two = mail_server.add_user(), mail_server.add_user()
    for user in (one, two):
        mail_server.append(user, message(message_id="<cc@example.kz>"))
    first, second = make_mailbox(app, mail_server, one), make_mailbox(app, mail_server, two)

    poll(app, first)
    result = poll(app, second)

    assert result.outcomes == {"existing": 1}
    assert len(leads(app)) == 1


def test_a_message_without_message_id_is_made_idempotent_on_its_uid(app, mail_server, imap_user):
    mail_server.append(imap_user, message(message_id=None))
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    poll(app, mailbox_id)

    [lead] = leads(app)
    with app.app_context():
        validity = db.session().get(Mailbox, mailbox_id).uidvalidity
    assert lead.external_id == f"imap:{mailbox_id}:{validity}:1"


def test_source_detection_uses_the_mailbox_alias(app, mail_server, imap_user, make_source):
    source_id = make_source("site-mail", {"en": "Site mail"}, mailbox="hello@agency.kz")
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user, alias="Hello@Agency.kz")

    poll(app, mailbox_id)

    assert leads(app)[0].source_id == source_id


def test_each_taken_message_has_its_row(app, mail_server, imap_user):
    mail_server.append(imap_user, message())
    mailbox_id = make_mailbox(app, mail_server, imap_user)

    poll(app, mailbox_id)

    with app.app_context():
        rows = db.session().execute(select(MailMessage.outcome, MailMessage.uid, MailMessage.message_id, MailMessage.sender)).all()
        assert rows == [("lead", 1, "<m1@example.kz>", "aigul@example.kz")]
        assert db.session().execute(select(func.count()).select_from(MailMessage)).scalar_one() == 1
