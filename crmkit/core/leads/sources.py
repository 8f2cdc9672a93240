"""Lead sources: their names in the user's language and finding a lead's source from its hints.

``detect`` tries the hints in a fixed order (utm_source, then form, mailbox, number,
referrer_host) against the values admins gave each source; the first that matches wins, so an
ad's tag beats the form it was sent through.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import g, has_app_context
from sqlalchemy import select

from crmkit import db
from crmkit.core.leads.models import MATCH_KINDS, Source, SourceMatch
from crmkit.core.pipelines.names import shown

LOOKUP_LIMIT = 1000  # sources are configuration: a handful, never a big table


def match_value(kind: str, value: str | None) -> str:
    """A hint as matches are stored: trimmed and lower-cased (a phone number's digits and +; a
    referrer given as a whole address reduced to its host without ``www.``)."""
    text = (value or "").strip().lower()
    if kind == "number":
        return "".join(ch for ch in text if ch.isdigit() or ch == "+")
    if kind == "referrer_host":
        host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
        return host.removeprefix("www.")
    return text


def detect(hints: dict[str, str]) -> int | None:
    """The id of the active source the first matching hint names, or None."""
    wanted = [(kind, match_value(kind, hints.get(kind))) for kind in MATCH_KINDS]
    wanted = [(kind, value) for kind, value in wanted if value]
    if not wanted:
        return None
    statement = (
        select(SourceMatch.kind, SourceMatch.source_id)
        .join(Source, Source.id == SourceMatch.source_id)
        .where(Source.active.is_(True), SourceMatch.value.in_([value for _kind, value in wanted]))
    )
    found = {(kind, value) for kind, value in wanted}
    matches: dict[str, int] = {}
    rows = db.session().execute(statement.add_columns(SourceMatch.value)).all()
    for kind, source_id, value in rows:
        if (kind, value) in found:
            matches[kind] = source_id
    return next((matches[kind] for kind, _value in wanted if kind in matches), None)


def all_sources() -> dict[int, Source]:
    """Every source by id, read once per request."""
    found = g.get("leads_sources_by_id") if has_app_context() else None
    if found is None:
        rows = db.session().execute(select(Source).order_by(Source.position, Source.id).limit(LOOKUP_LIMIT)).scalars()
        found = {row.id: row for row in rows}
        if has_app_context():
            g.leads_sources_by_id = found
    return found


def forget() -> None:
    """Drop this request's cached sources (after an admin changed them)."""
    if has_app_context():
        g.pop("leads_sources_by_id", None)


def source_name(source_id: Any) -> str:
    """A source's name in the user's language (its key when no name is filled)."""
    source = all_sources().get(source_id)
    if source is None:
        return f"#{source_id}"
    return shown(source.names) or source.key


def source_ids() -> list[int]:
    """The sources a lead may name: active ones first, in the admin's order."""
    return [s.id for s in sorted(all_sources().values(), key=lambda s: (not s.active, s.position, s.id))]
