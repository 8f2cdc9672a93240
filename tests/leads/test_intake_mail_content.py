"""What odd mail becomes: stored safely (text, escaped on pages), cut with the reason kept, files attached."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.files import attachments_of, open_blob
from crmkit.core.intake_mail.models import MailMessage
from crmkit.core.leads.models import Lead
from tests.leads.mail_server import imap_user, mail_server, make_mailbox, message, poll  # noqa: F401

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en")


def only_lead(app) -> Lead:
    with app.app_context():
        [lead] = db.session().execute(select(Lead)).scalars().all()
        return lead


def taken(app, server, user, data: bytes, **settings):
    server.append(user, data)
    result = poll(app, make_mailbox(app, server, user, **settings))
    assert result.ok, result.error
    return result


def test_html_mail_is_stored_as_text_and_shown_escaped(app, admin_client, mail_server, imap_user):
    html = '<p>Хочу <b>квартиру</b></p><script>alert("x")</script><img src=x onerror="alert(2)">'
    taken(app, mail_server, imap_user, message(subject="<i>Заявка</i>", body=None, html=html))

    lead = only_lead(app)
    assert lead.request == "<i>Заявка</i>\n\nХочу квартиру" and lead.raw["from_html"] is True
    page = admin_client.get(f"/lead/{lead.id}").get_data(as_text=True)
    assert "&lt;i&gt;Заявка&lt;/i&gt;" in page and "<i>Заявка</i>" not in page and 'alert("x")' not in page


def test_malformed_mail_in_an_unknown_charset_with_nul_bytes_still_makes_a_lead(app, mail_server, imap_user):
    raw = (b"From: \xc5\xf0\xeb\xe0\xed <erlan@example.kz>\r\nSubject: =?x-martian?Q?=C7=E0=FF=E2=EA=E0?=\r\n"
           b"Message-ID: <bad@example.kz>\r\nContent-Type: text/plain; charset=x-martian\r\n"
           b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
           b"=CD=F3=E6=ED=E0 =EA=E2=E0=F0=F2=E8=F0=E0\x00, =\r\n\xff\xfe \xd0\xbf\xd1\x80\r\n")
    taken(app, mail_server, imap_user, raw)

    lead = only_lead(app)
    assert lead.name == "Ерлан" and lead.email_key == "erlan@example.kz"
    assert "\x00" not in lead.request and lead.request.startswith("Заявка")
    assert any("x-martian" in note for note in lead.raw["notes"])


def test_a_message_over_the_mailbox_limit_is_cut_with_the_reason_kept(app, mail_server, imap_user):
    big = message(body="Нужен офис 200 м², тел. +7 701 555 44 33", attachments=[("план.pdf", PDF + b"0" * 400_000, "application/pdf")])
    taken(app, mail_server, imap_user, big, max_message_kb=64)

    lead = only_lead(app)
    assert lead.request.startswith("Ищу квартиру\n\nНужен офис 200 м²") and lead.phone_key == "+77015554433"
    cut = lead.raw["truncated"]
    assert (cut["reason"], cut["limit"], cut["read"]) == ("too_large", 64 * 1024, 64 * 1024) and cut["size"] > 400_000
    assert [a["attached"] for a in lead.raw["attachments"]] == [False]
    with app.app_context():
        note = db.session().execute(select(MailMessage.note)).scalar_one()
        assert note.startswith("cut: ") and attachments_of("lead", lead.id) == []


def test_attachments_become_files_of_the_lead(app, mail_server, imap_user):
    taken(app, mail_server, imap_user, message(attachments=[("план квартиры.pdf", PDF, "application/pdf")]))

    lead = only_lead(app)
    with app.app_context():
        [stored] = attachments_of("lead", lead.id)
        assert (stored.original_name, stored.size) == ("план квартиры.pdf", len(PDF))
        with open_blob(stored) as blob:
            assert blob.read() == PDF
    [listed] = lead.raw["attachments"]
    assert listed["attached"] is True and listed["attachment_id"] == stored.id


def test_a_refused_attachment_is_listed_with_the_reason_and_the_lead_still_made(app, mail_server, imap_user):
    program = b"MZ\x90\x00" + b"\x00" * 200
    taken(app, mail_server, imap_user, message(attachments=[("invoice.exe", program, "application/octet-stream")]))

    lead = only_lead(app)
    [listed] = lead.raw["attachments"]
    assert listed["attached"] is False and listed["reason"]
    with app.app_context():
        assert attachments_of("lead", lead.id) == []


def test_a_long_message_is_cut_in_the_request_and_kept_whole_in_raw(app, mail_server, imap_user):
    body = "Очень подробно. " * 1000
    taken(app, mail_server, imap_user, message(body=body))

    lead = only_lead(app)
    assert len(lead.request) == 5000 and lead.request.endswith("…")
    assert lead.raw["text"] == body.strip()
