"""Changing lead sources and the values that point to them, as the admin page does; each change
checks everything first and saves whole or not at all."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import delete, select
from sqlmodel import Session

from crmkit.core.leads import sources
from crmkit.core.leads.models import Source, SourceMatch
from crmkit.core.pipelines.names import shown
from crmkit.i18n import gettext as _

KEY = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,49}$")
TYPED_KINDS = ("utm_source", "referrer_host", "mailbox", "number")  # "form" is set on the form's page
LIST_LIMIT = 1000


class SetupError(ValueError):
    """Bad admin input; ``errors`` maps each field to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def listed(session: Session) -> list[tuple[Source, dict[str, list[str]]]]:
    """Every source in the admin's order with its match values by kind."""
    found = list(session.execute(select(Source).order_by(Source.position, Source.id).limit(LIST_LIMIT)).scalars())
    matches: dict[int, dict[str, list[str]]] = {source.id: {} for source in found}
    rows = session.execute(select(SourceMatch).order_by(SourceMatch.kind, SourceMatch.value).limit(LIST_LIMIT * 10)).scalars()
    for row in rows:
        matches.setdefault(row.source_id, {}).setdefault(row.kind, []).append(row.value)
    return [(source, matches.get(source.id, {})) for source in found]


def values_from(text: str | None, kind: str) -> list[str]:
    """One value per line or comma, as detect() compares them; blanks and repeats dropped."""
    found = []
    for part in re.split(r"[\n,]", text or ""):
        value = sources.match_value(kind, part)
        if value and value not in found:
            found.append(value)
    return found


def save(session: Session, source: Source | None, key: str, names: dict[str, str], active: bool,
         typed: Mapping[str, str]) -> Source:
    """Create (``source`` None) or change a source and replace its typed match values."""
    key = (key or "").strip().lower()
    errors: dict[str, list[str]] = {}
    if not KEY.match(key):
        errors["key"] = [_("Use lower-case Latin letters, digits, dots, dashes or underscores, up to 50.")]
    elif session.execute(select(Source.id).where(Source.key == key, Source.id != (source.id if source else -1))).first():
        errors["key"] = [_("Another source has this key.")]
    if not names:
        errors["name"] = [_("Give the source a name in at least one language.")]
    if any(len(name) > 200 for name in names.values()):
        errors["name"] = [_("A name is at most 200 characters.")]
    wanted = {kind: values_from(typed.get(kind), kind) for kind in TYPED_KINDS}
    for kind, values in wanted.items():
        if any(len(value) > 320 for value in values):
            errors[kind] = [_("A value is at most 320 characters.")]
            continue
        taken = session.execute(
            select(SourceMatch.value, Source.names, Source.key).join(Source, Source.id == SourceMatch.source_id)
            .where(SourceMatch.kind == kind, SourceMatch.value.in_(values or [""]),
                   SourceMatch.source_id != (source.id if source else -1))
        ).all()
        if taken:
            errors[kind] = [_("“%(value)s” already points to “%(source)s”.", value=value, source=shown(other) or other_key)
                            for value, other, other_key in taken]
    if errors:
        raise SetupError(errors)
    if source is None:
        last = session.execute(select(Source.position).order_by(Source.position.desc()).limit(1)).scalar()
        source = Source(key=key, position=(last or 0) + 1)
        session.add(source)
    source.key, source.names, source.active = key, names, active
    session.flush()
    session.execute(delete(SourceMatch).where(SourceMatch.source_id == source.id, SourceMatch.kind.in_(TYPED_KINDS)))
    for kind, values in wanted.items():
        session.add_all(SourceMatch(source_id=source.id, kind=kind, value=value) for value in values)
    session.commit()
    sources.forget()
    return source


def point_form(session: Session, token: str, source_id: int | None) -> None:
    """Make a form's token point to ``source_id`` (None: to no source); the caller commits."""
    session.execute(delete(SourceMatch).where(SourceMatch.kind == "form", SourceMatch.value == token.lower()))
    if source_id is not None:
        session.add(SourceMatch(source_id=source_id, kind="form", value=token.lower()))
