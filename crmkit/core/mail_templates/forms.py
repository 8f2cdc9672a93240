"""The template form: read, checked whole (key, entity, name, each language's subject and body
through ``validate``), and saved whole or not at all."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db as database
from crmkit.core.mail_templates.models import MailTemplate
from crmkit.core.mail_templates.sandbox import validate
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,99}")
SUBJECT_LENGTH = 300
BODY_LENGTH = 100_000


class Stale(Exception):
    """The template changed since the form was opened."""


def read(form: Any) -> dict[str, Any]:
    """What the form sent, as the template's fields."""
    texts = {}
    for language in current_app.config["LANGUAGES"]:
        subject, body = form.get(f"subject_{language}", "").strip(), form.get(f"body_{language}", "").strip()
        if subject or body:
            texts[language] = {"subject": subject, "body": body}
    return {"key": form.get("key", "").strip(), "entity": form.get("entity", "").strip(),
            "name": form.get("name", "").strip(), "texts": texts}


def errors_of(data: dict[str, Any], existing: MailTemplate | None) -> dict[str, list[str]]:
    """Per form field, what is wrong; empty when the template may be saved."""
    from crmkit import api

    errors: dict[str, list[str]] = {}
    if not KEY.fullmatch(data["key"]):
        errors["key"] = [_("Use 1 to 100 lowercase Latin letters, digits, dots, dashes or underscores, starting with a letter or digit.")]
    else:
        taken = database.session().execute(select(MailTemplate.id).where(MailTemplate.key == data["key"])).scalar()
        if taken is not None and (existing is None or taken != existing.id):
            errors["key"] = [_("Another template has this key.")]
    if not data["name"] or len(data["name"]) > 200:
        errors["name"] = [_("Give the template a name of at most 200 characters.")]
    try:
        entity = api.entity(data["entity"])
    except LookupError:
        errors["entity"] = [_("Choose the kind of record the template is written for.")]
        return errors
    default = current_app.config["DEFAULT_LOCALE"]
    for language in current_app.config["LANGUAGES"]:
        text = data["texts"].get(language)
        if text is None:
            if language == default:
                errors[f"subject_{language}"] = [_("The default language needs a subject and a body; the others fall back to it.")]
            continue
        if not text["subject"]:
            errors[f"subject_{language}"] = [_("Give a subject.")]
        elif len(text["subject"]) > SUBJECT_LENGTH:
            errors[f"subject_{language}"] = [_("At most %(count)d characters.", count=SUBJECT_LENGTH)]
        if not text["body"]:
            errors[f"body_{language}"] = [_("Give a body.")]
        elif len(text["body"]) > BODY_LENGTH:
            errors[f"body_{language}"] = [_("At most %(count)d characters.", count=BODY_LENGTH)]
        for problem in validate(text["subject"], text["body"], entity):
            errors.setdefault(f"{problem.part}_{language}", []).append(str(problem))
    return errors


def save(data: dict[str, Any], existing: MailTemplate | None, version: str | None) -> MailTemplate:
    """Store the checked template; Stale when ``version`` is not the stored one."""
    session = database.session()
    if existing is not None:
        if version is not None and str(existing.version) != str(version):
            raise Stale()
        template = existing
        template.version += 1
        template.updated_at = utcnow()
    else:
        template = MailTemplate()
    template.key, template.entity, template.name, template.texts = data["key"], data["entity"], data["name"], data["texts"]
    session.add(template)
    session.commit()
    return template
