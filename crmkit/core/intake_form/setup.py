"""Creating and changing web forms as the admin page does: everything checked first, then saved
whole (the form, and its token pointing to the chosen source) or not at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlmodel import Session

from crmkit.core.intake_form.fields import available
from crmkit.core.intake_form.models import IntakeForm
from crmkit.core.intake_form.views import origin_of
from crmkit.core.leads.models import Source
from crmkit.core.leads.setup import SetupError, point_form
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

LANGUAGES = ("ru", "kk", "en")
CONTACTS = ("phone", "email")
LIST_LIMIT = 500


def forms(session: Session) -> list[IntakeForm]:
    statement = select(IntakeForm).order_by(IntakeForm.archived_at.is_not(None), IntakeForm.name, IntakeForm.id)
    return list(session.execute(statement.limit(LIST_LIMIT)).scalars())


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


def checked(session: Session, given: Mapping[str, Any]) -> dict[str, Any]:
    """The form's values from the admin's input; ``SetupError`` names every bad field."""
    errors: dict[str, list[str]] = {}
    known = available()
    name = (given.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("Give the form a name of up to 200 characters.")]
    language = given.get("language") or "ru"
    if language not in LANGUAGES:
        errors["language"] = [_("Choose a language from the list.")]
    fields = [key for key in given.get("fields") or [] if key in known]
    if not fields:
        errors["fields"] = [_("Choose at least one field.")]
    elif not set(fields) & set(CONTACTS):
        errors["fields"] = [_("Ask for a phone or an email, or there is no way to answer.")]
    required = [key for key in given.get("required") or [] if key in fields]
    origins, bad = [], []
    for line in lines(given.get("allowed_origins")):
        (origins if origin_of(line) else bad).append(origin_of(line) or line)
    if bad:
        errors["allowed_origins"] = [_("Not a site address: %(value)s. Write it as https://example.kz.", value=", ".join(bad))]
    redirect_url = (given.get("redirect_url") or "").strip() or None
    if redirect_url and (urlsplit(redirect_url).scheme not in ("http", "https") or not urlsplit(redirect_url).hostname
                         or len(redirect_url) > 2000):
        errors["redirect_url"] = [_("Write the full address of the page, starting with https://.")]
    thank_you = (given.get("thank_you") or "").strip() or None
    if thank_you and len(thank_you) > 2000:
        errors["thank_you"] = [_("At most %(count)d characters.", count=2000)]
    source_id = given.get("source_id") or None
    if source_id is not None:
        source_id = int(source_id) if str(source_id).isdigit() else -1
        if session.get(Source, source_id) is None:
            errors["source_id"] = [_("Choose a source from the list.")]
    if errors:
        raise SetupError(errors)
    return {"name": name, "language": language, "fields": fields, "required": required,
            "allowed_origins": list(dict.fromkeys(origins)), "redirect_url": redirect_url, "thank_you": thank_you,
            "source_id": source_id, "active": bool(given.get("active"))}


def save(session: Session, form: IntakeForm | None, given: Mapping[str, Any]) -> IntakeForm:
    values = checked(session, given)
    if form is None:
        form = IntakeForm(name=values["name"])
        session.add(form)
    for key, value in values.items():
        setattr(form, key, value)
    form.updated_at = utcnow()
    session.flush()
    point_form(session, form.token, form.source_id)
    session.commit()
    return form


def set_archived(session: Session, form: IntakeForm, archived: bool) -> None:
    """An archived form answers 404 to every post; it stays listed so it can be restored."""
    form.archived_at = utcnow() if archived else None
    session.commit()
