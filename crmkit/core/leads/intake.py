"""One entry point for every channel: ``receive(Incoming(...))`` makes a lead, exactly once.

It runs in the current session and does not commit: the channel commits, then acknowledges, so
nothing acknowledged is lost. It is idempotent on ``(channel, external_id)``: a repeat returns
the lead already made, also when two arrive at once (the unique index decides; the loser's insert
is undone to a savepoint and the winner's lead returned). The lead is created the way the records
service creates one, as the system (no user): history, the workflow's first transition and
``entity_event`` (before_create, after_transition, after_create) all see it.

Text is stored as given (pages escape it); a value longer than its column is cut with "…" and the
whole value kept in ``raw["cut"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from crmkit import db
from crmkit.core.contacts import phones as phone_numbers
from crmkit.core.inventory import service as inventory
from crmkit.core.leads import sources
from crmkit.core.leads.models import Lead
from crmkit.db import utcnow
from crmkit.entities import extensions, workflow
from crmkit.entities.errors import Invalid
from crmkit.entities.history import Change, diff
from crmkit.entities.transitions import new_row
from crmkit.validation import translate_messages

ENTITY = "lead"
UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
ELLIPSIS = "…"


@dataclass
class Incoming:
    """A lead as a channel received it; every field but ``channel`` may be left out."""

    channel: str
    name: str | None = None
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    organization_name: str | None = None
    request: str | None = None
    utm: dict[str, str] = field(default_factory=dict)
    referrer: str | None = None
    landing_page: str | None = None
    raw: Any = None
    external_id: str | None = None
    received_at: datetime | None = None
    source_hints: dict[str, str] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    source_id: int | None = None  # the channel's own source (a form's, a sender's), when no hint names one
    items: list = field(default_factory=list)  # inventory items it is about: (entity key, id or title)


def clean(value: Any) -> Any:
    """Text the database can hold, whatever was sent: NUL characters and lone surrogates (from a
    JSON escape or a broken encoding) become U+FFFD; dicts and lists are cleaned throughout."""
    if isinstance(value, str):
        if value.isascii() and "\x00" not in value:
            return value
        return value.replace("\x00", "\ufffd").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {clean(str(key)): clean(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple):
        return [clean(inner) for inner in value]
    return value


def existing(channel: str, external_id: str | None) -> Lead | None:
    """The lead a sender's id already made on this channel, if any."""
    if not external_id:
        return None
    statement = select(Lead).where(Lead.channel == channel, Lead.external_id == external_id)
    return db.session().execute(statement).scalars().first()


def phone_key(numbers: list[str]) -> str | None:
    """The first phone that is a valid number, in the E.164 form contacts use."""
    for raw in numbers:
        try:
            return phone_numbers.normalize(raw)
        except ValueError:
            continue
    return None


def email_key(addresses: list[str]) -> str | None:
    first = next((a.strip() for a in addresses if a and a.strip()), None)
    return first.lower()[:320] if first else None


def joined(values: list[str]) -> str | None:
    kept = [str(v).strip() for v in values if v is not None and str(v).strip()]
    return ", ".join(kept) or None


def fitted(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """``values`` cut to their columns' lengths with "…", and the whole of each value cut."""
    columns = Lead.__table__.c
    cut: dict[str, str] = {}
    result = dict(values)
    for name, value in values.items():
        limit = getattr(columns[name].type, "length", None)
        if isinstance(value, str) and limit and len(value) > limit:
            cut[name] = value
            result[name] = value[: limit - 1] + ELLIPSIS
    return result, cut


def aware(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def with_cut(raw: Any, cut: dict[str, str]) -> Any:
    if not cut:
        return raw
    if isinstance(raw, dict):
        return {**raw, "cut": cut}
    return {"payload": raw, "cut": cut}


def extension_values(entity: Any, given: dict[str, Any]) -> tuple[list, dict[str, dict]]:
    """Plugins' fields on the lead, loaded by their schemas (nested by group, as the API takes
    them); a value they refuse raises ``Invalid`` naming it."""
    parts = extensions.groups(entity, db.session())
    if not given:
        return parts, {}
    known = {p.namespace: p for p in parts}
    loaded: dict[str, dict] = {}
    problems: dict[str, Any] = {}
    for namespace, values in given.items():
        part = known.get(namespace)
        if part is None or not isinstance(values, dict):
            problems[namespace] = ["Unknown field group."]
            continue
        try:
            loaded[namespace] = part.schema().load(values, partial=True)
        except ValidationError as error:
            problems[namespace] = translate_messages(error.messages)
    if problems:
        raise Invalid(problems)
    return parts, loaded


def receive(incoming: Incoming) -> tuple[Lead, bool]:
    """The lead ``incoming`` makes, created now (True) or made before by the same sender's id
    (False). Runs in the current session; the caller commits."""
    incoming = Incoming(**{name: clean(value) for name, value in vars(incoming).items()})
    found = existing(incoming.channel, incoming.external_id)
    if found is not None:
        return found, False
    app = current_app.extensions["crmkit"]
    entity = app.entities.get(ENTITY)
    parts, grouped = extension_values(entity, incoming.fields)
    utm = {key: (incoming.utm or {}).get(key) for key in UTM_KEYS}
    values, cut = fitted({
        "name": incoming.name, "organization_name": incoming.organization_name,
        "phones": joined(incoming.phones), "emails": joined(incoming.emails), "request": incoming.request,
        "referrer": incoming.referrer, "landing_page": incoming.landing_page,
        "external_id": incoming.external_id, **utm,
    })
    if cut.get("external_id"):
        raise Invalid({"external_id": ["The sender's id is longer than 200 characters."]})
    hints = dict(incoming.source_hints or {})
    hints["utm_source"] = utm["utm_source"] or hints.get("utm_source") or ""
    if incoming.referrer and "referrer_host" not in hints:
        hints["referrer_host"] = incoming.referrer
    lead = Lead(
        **values, channel=incoming.channel, status="new", raw=with_cut(incoming.raw, cut),
        phone_key=phone_key(incoming.phones or []), email_key=email_key(incoming.emails or []),
        source_id=sources.detect(hints) or incoming.source_id, received_at=aware(incoming.received_at),
    )
    lead.last_action_at = lead.received_at
    extensions.save_light(lead, parts, grouped)
    session = db.session()
    move = workflow.Move("status", None, "new")
    try:
        with session.begin_nested():
            emit(app, "before_create", entity, lead, values)
            session.add(lead)
            session.flush()
            extensions.save_typed(session, lead, parts, grouped)
            inventory.link_items(ENTITY, lead.id, inventory.known_items(incoming.items or []))
            shown = {k: v for k, v in lead.model_dump(exclude={"raw", "extra"}).items() if v is not None}
            session.add(new_row(Change, entity=ENTITY, record_id=lead.id, action="create", user_id=None,
                                changes=diff({}, {**shown, **extensions.flatten(grouped, parts)}), at=utcnow()))
            workflow.record_move(session, ENTITY, lead.id, move, None)
            emit(app, "after_transition", entity, lead, move.changes)
            emit(app, "after_create", entity, lead, values)
            session.flush()
    except IntegrityError:
        found = existing(incoming.channel, incoming.external_id)
        if found is None:
            raise
        return found, False
    return lead, True


def emit(app: Any, event: str, entity: Any, lead: Lead, changes: dict[str, Any]) -> None:
    app.pm.hook.entity_event(event=event, entity=entity, record=lead, changes=changes, user=None)
