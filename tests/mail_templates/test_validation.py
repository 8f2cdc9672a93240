"""validate(): a template is refused before it is saved for a syntax error, an unknown name or
field, or an attribute escape, each named with its line in the reader's language; the sandbox
refuses escapes at render time too."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from crmkit import db
from crmkit.core.mail_templates import RenderError, render, validate
from crmkit.core.mail_templates.models import MailTemplate
from tests.browser.conftest import tr
from tests.mail_templates.making import a_deal, a_template


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", SMTP_HOST=None)


def problems(app, subject, body, entity="deal", language="en"):
    with app.test_request_context(), force_locale(language):
        return [(p.part, p.line, str(p)) for p in validate(subject, body, entity)]


def test_a_good_template_has_no_problems(app):
    assert problems(app, "Deal {{ record.title }}", "{% for x in range(2) %}{{ x }}{% endfor %}\n"
                    "{% if record.amount %}{{ record.amount }}{% endif %} {{ recipient.email }} {{ link }}") == []


def test_a_syntax_error_is_refused_naming_its_line(app):
    [(part, line, message)] = problems(app, "Fine", "Hello\n{{ record.title }\nBye")
    assert (part, line) == ("body", 2)
    assert "line 2" in message


def test_an_unknown_field_is_refused_naming_its_line_and_the_field(app):
    [(part, line, message)] = problems(app, "Fine", "Hello\n\n<p>{{ record.no_such_field }}</p>")
    assert (part, line) == ("body", 3)
    assert "no_such_field" in message


def test_an_unknown_field_in_the_subject_is_named_as_the_subjects(app):
    [(part, line, _message)] = problems(app, "Deal {{ record.titel }}", "<p>ok</p>")
    assert (part, line) == ("subject", 1)


def test_an_unknown_name_and_an_unknown_filter_are_refused(app):
    assert problems(app, "{{ user.name }}", "ok")[0][:2] == ("subject", 1)
    assert problems(app, "ok", "one\n{{ record.title|no_such_filter }}")[0][:2] == ("body", 2)


def test_the_message_is_in_the_readers_language(app):
    [(_part, _line, message)] = problems(app, "ok", "{{ record.no_such_field }}", language="ru")
    assert tr("ru", "the record has no field «%(name)s»", name="no_such_field") in message
    assert tr("ru", "line %(line)d", line=1) in message


@pytest.mark.parametrize("escape", ["{{ record.__class__ }}", "{{ record._values }}", "{{ ''.__class__.__mro__ }}",
                                    "{{ recipient.name.__class__ }}", "{{ record['__class__'] }}"])
def test_attribute_escapes_are_refused(app, escape):
    assert problems(app, "ok", f"<p>\n{escape}</p>")[0][:2] == ("body", 2)


def test_the_sandbox_refuses_an_escape_in_a_template_stored_without_validation(app, make_user):
    admin = make_user("admin")
    deal = a_deal(app, admin.email)
    a_template(app, "broken", texts={"en": {"subject": "x", "body": "{{ record.__class__.__mro__ }}"}})
    with app.test_request_context(), pytest.raises(RenderError, match="broken"):
        render("broken", deal, entity="deal", language="en")


def test_a_stored_template_is_validated_in_every_language(app):
    template_id = a_template(app, "two", texts={"en": {"subject": "ok", "body": "ok"},
                                                "ru": {"subject": "ok", "body": "{{ record.gone }}"}})
    with app.test_request_context():
        [problem] = validate(db.session().get(MailTemplate, template_id))
    assert problem.line == 1 and "[ru]" in problem.message and "gone" in problem.message
