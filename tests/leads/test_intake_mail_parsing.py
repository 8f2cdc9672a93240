"""Reading mail as it really arrives: odd charsets, broken encodings, HTML only, no ids; never a crash."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crmkit.core.intake_mail.htmltext import html_to_text
from crmkit.core.intake_mail.parsing import parse
from tests.leads.mail_server import message


def test_sender_subject_and_text_of_a_plain_message():
    parsed = parse(message())
    assert (parsed.sender_name, parsed.sender_email) == ("Айгуль Сапарова", "aigul@example.kz")
    assert parsed.subject == "Ищу квартиру"
    assert parsed.text.startswith("Здравствуйте! Нужна 2-комнатная")
    assert parsed.message_id == "<m1@example.kz>" and parsed.notes == []


def test_text_plain_is_preferred_to_its_html_alternative():
    parsed = parse(message(body="Текст письма", html="<p>HTML письма</p>"))
    assert (parsed.text, parsed.from_html) == ("Текст письма", False)


def test_html_only_mail_becomes_text_without_markup_or_scripts():
    html = ('<html><head><style>p{color:red}</style><title>t</title></head><body><p>Нужна <b>квартира</b></p>'
            '<script>alert("x")</script><ul><li>2 комнаты</li><li>Алматы</li></ul>'
            '<a href="https://krisha.kz/a/1">объявление</a> <img src=x onerror=alert(1)></body></html>')
    parsed = parse(message(body=None, html=html))
    assert parsed.from_html
    assert parsed.text == "Нужна квартира\n\n- 2 комнаты\n- Алматы\nобъявление (https://krisha.kz/a/1)"


def test_undeclared_cp1251_headers_and_body_are_read_as_cyrillic():
    raw = (b"From: \xc0\xe9\xe3\xf3\xeb\xfc <a@example.kz>\r\nSubject: \xcf\xf0\xe8\xe2\xe5\xf2\r\n"
           b"Content-Type: text/plain\r\n\r\n"
           + "Здравствуйте, хочу купить квартиру в Алматы, две комнаты, недалеко от метро.".encode("cp1251"))
    parsed = parse(raw)
    assert (parsed.sender_name, parsed.subject) == ("Айгуль", "Привет")
    assert parsed.text.startswith("Здравствуйте, хочу купить квартиру")


def test_an_unknown_charset_is_decoded_anyway_and_noted():
    raw = "Subject: x\r\nContent-Type: text/plain; charset=x-martian\r\n\r\nПривет, нужна квартира".encode()
    parsed = parse(raw)
    assert parsed.text == "Привет, нужна квартира"
    assert any("x-martian" in note for note in parsed.notes)


def test_bytes_that_fit_no_charset_become_replacement_characters():
    raw = b"Subject: x\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nok \xff\xfe\xfd end"
    parsed = parse(raw)
    assert parsed.text.startswith("ok ") and parsed.text.endswith(" end")


def test_nul_and_control_characters_are_removed():
    raw = b"Subject: a\x00b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nline\x00one\x07\r\nline two"
    parsed = parse(raw)
    assert (parsed.subject, parsed.text) == ("ab", "lineone\nline two")


def test_broken_base64_and_a_missing_header_separator_do_not_raise():
    raw = b"Subject: x\r\nContent-Transfer-Encoding: base64\r\nContent-Type: text/plain\r\n\r\n@@not base64@@"
    assert parse(raw).subject == "x"
    assert parse(b"no headers \xff at all").sender_email is None
    assert parse(b"").text == ""


def test_reply_headers_give_the_thread_nearest_first():
    parsed = parse(message(headers={"In-Reply-To": "<b@x>", "References": "<a@x> <b@x>"}))
    assert parsed.thread_ids == ["<b@x>", "<a@x>"]


def test_reply_to_is_the_contact_when_a_robot_sends_the_form():
    parsed = parse(message(sender="Site <noreply@agency.kz>", headers={"Reply-To": "Ерлан <erlan@example.kz>"}))
    assert parsed.contact_email == "erlan@example.kz" and not parsed.automatic


def test_out_of_office_answers_and_bounces_are_automatic():
    assert parse(message(headers={"Auto-Submitted": "auto-replied"})).automatic
    assert parse(message(sender="MAILER-DAEMON@mx.example.kz")).automatic
    assert not parse(message(headers={"Auto-Submitted": "auto-generated"})).automatic  # a site's form robot


def test_attachments_are_listed_with_name_type_and_size():
    parsed = parse(message(attachments=[("план квартиры.pdf", b"%PDF-1.4 data", "application/pdf")]))
    [attachment] = parsed.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == ("план квартиры.pdf", "application/pdf", 13)
    assert attachment.data == b"%PDF-1.4 data"


def test_phones_are_found_as_written_once_each():
    parsed = parse(message(body="Мой номер +7 (701) 123-45-67, или 87011234567, рабочий 8 727 250 00 00"))
    assert parsed.phones == ["+7 (701) 123-45-67", "8 727 250 00 00"]


def test_html_to_text_keeps_entities_as_text():
    assert html_to_text("<p>&lt;script&gt; &amp; &quot;</p>") == '<script> & "'


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_bytes_at_all_parse_without_an_exception(data):
    parsed = parse(data)
    assert "\x00" not in parsed.text and "\x00" not in parsed.subject


def test_folder_names_go_to_the_server_in_modified_utf7_quoted():
    from crmkit.core.intake_mail.imap import encode_folder

    assert encode_folder("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'  # RFC 3501's example
    assert encode_folder('A&B "x"') == '"A&-B \\"x\\""'
