"""Rendering a template for a record in a language, and sending it after the commit.

``render`` gives the subject, the cleaned HTML and its text alternative. ``send`` checks what it
can at once (the template exists and is for this entity, there is someone to write to) and
queues the ``core.mail_templates.send`` job for after the commit, which renders in the
recipient's language (their profile's, else the instance default) and hands the message to SMTP.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from flask import current_app
from flask_babel import force_locale
from jinja2 import TemplateError
from sqlalchemy import select

from crmkit import db as database
from crmkit import jobs, mail
from crmkit.core.auth.models import User
from crmkit.core.mail_templates import context
from crmkit.core.mail_templates.models import MailTemplate
from crmkit.core.mail_templates.sandbox import environment
from crmkit.core.mail_templates.text import clean, html_to_text
from crmkit.i18n import gettext as _

SEND_JOB = "core.mail_templates.send"


class Rendered(NamedTuple):
    subject: str
    html: str
    text: str


class RenderError(ValueError):
    """A template failed while rendering (a field gone since it was saved, a sandbox refusal)."""


def find(key_or_id: Any) -> MailTemplate | None:
    """The template with this key, or this id (an int, or a MailTemplate given back as it is)."""
    if isinstance(key_or_id, MailTemplate):
        return key_or_id
    column = MailTemplate.id if isinstance(key_or_id, int) else MailTemplate.key
    return database.session().execute(select(MailTemplate).where(column == key_or_id)).scalar_one_or_none()


def required(key_or_id: Any) -> MailTemplate:
    found = find(key_or_id)
    if found is None:
        raise LookupError(_("There is no email template «%(key)s».", key=key_or_id))
    return found


def entity_of(entity: Any) -> Any:
    from crmkit import api

    return api.entity(entity)


def language_of(user: Any) -> str:
    languages = current_app.config["LANGUAGES"]
    locale = getattr(user, "locale", None)
    return locale if locale in languages else current_app.config["DEFAULT_LOCALE"]


def record_of(entity: Any, record: Any) -> Any:
    if isinstance(record, entity.model):
        return record
    found = database.session().get(entity.model, int(record))
    if found is None:
        raise LookupError(f"no {entity.key} with id {record!r}")
    return found


def render(template_key_or_id: Any, record: Any, *, entity: Any, language: str, recipient: Any = None,
           sender: Any = None, address: str | None = None) -> Rendered:
    """The template for ``record`` (a record or its id) in ``language``: its subject, its HTML
    (escaped values, cleaned markup) and a text alternative. ``recipient`` and ``sender`` are
    users (or None); ``address`` overrides the recipient's email. Raises RenderError."""
    template = required(template_key_or_id)
    declared = entity_of(entity)
    if template.entity != declared.key:
        raise ValueError(f"the template {template.key!r} is for {template.entity!r}, not {declared.key!r}")
    found = record_of(declared, record)
    text = template.text(language, current_app.config["DEFAULT_LOCALE"])
    with context.reading_as(recipient or sender), force_locale(language):
        values = {
            "record": context.record_values(declared, found),
            "recipient": context.person(recipient, address),
            "sender": context.person(sender),
        }
        values["link"] = values["record"]["url"]
        try:
            subject = environment(False).from_string(text["subject"]).render(values)
            body = environment(True).from_string(text["body"]).render(values)
        except TemplateError as error:
            raise RenderError(_("The email template «%(key)s» could not be rendered: %(error)s",
                                key=template.key, error=error.message or type(error).__name__)) from error
    html = clean(body)
    return Rendered(re.sub(r"\s+", " ", subject).strip(), html, html_to_text(html))


def send(template_key_or_id: Any, record: Any, *, entity: Any, to_user: Any = None, to_address: str | None = None,
         sender: Any = None) -> None:
    """Mail the template about ``record`` to a user (in their language) or an address (in the
    instance's), after the current transaction commits. ``sender`` defaults to the logged-in user."""
    from crmkit import api

    template = required(template_key_or_id)
    declared = entity_of(entity)
    if template.entity != declared.key:
        raise ValueError(_("The email template «%(key)s» is for another kind of record.", key=template.key))
    if to_user is None and not to_address:
        raise ValueError(_("An email needs a recipient: a user or an address."))
    sender = sender if sender is not None else api.current_user()
    record_id = int(getattr(record, "id", record))
    jobs.enqueue_after_commit(
        database.session(), SEND_JOB, template.id, declared.key, record_id,
        getattr(to_user, "id", to_user), to_address, getattr(sender, "id", sender), user=None,
    )


def deliver(template_id: int, entity_key: str, record_id: int, to_user_id: int | None, to_address: str | None,
            sender_id: int | None) -> bool:
    """The job: render in the recipient's language and send; MailError is left to the job's retries."""
    session = database.session()
    recipient = session.get(User, to_user_id) if to_user_id else None
    if to_user_id and (recipient is None or not recipient.is_active) and not to_address:
        return False
    sender = session.get(User, sender_id) if sender_id else None
    language = language_of(recipient)
    rendered = render(template_id, record_id, entity=entity_key, language=language, recipient=recipient,
                      sender=sender, address=to_address)
    return mail.send(to_address or recipient.email, rendered.subject, rendered.text, rendered.html)
