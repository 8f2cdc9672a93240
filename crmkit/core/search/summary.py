"""What the search page shows of each hit besides its title: the field the query matched (the
line of it, or a few words around the match in a long text), the record's phone, and the records
it links to (a person's organisation) by their titles.

All of it is read from the hits already loaded, plus one query per linked entity for the whole
page (``links.titles``), so the page costs what it did with bare names but those few lookups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crmkit.core.records import links
from crmkit.entities.linking import USER
from crmkit.search.folding import fold
from crmkit.search.text import PHONE_MIN_DIGITS, Query, digits_of, is_phone_like, marked, parse

PHONE_FIELD = "phone"
SNIPPET = 60  # characters of a long text shown around the match
DETAILS = 3


@dataclass(frozen=True)
class Detail:
    label: str
    value: str
    matched: bool = False


@dataclass
class Hit:
    record: Any
    details: list[Detail] = field(default_factory=list)


def matches(text: str, query: Query) -> bool:
    """Whether ``text`` alone answers the query as the index would: its digits hold the query's
    digits (a phone), the folded fragment occurs in it, or every word starts one of its words."""
    if query.digits and is_phone_like(text, PHONE_MIN_DIGITS) and query.digits in digits_of(text):
        return True
    folded = marked(fold(text))
    if query.fragment and query.fragment_pattern() in folded:
        return True
    patterns = query.word_patterns()
    return bool(patterns) and all(p in folded for p in patterns)


def matched(entity: Any, record: Any, query: Query) -> tuple[str, str] | None:
    """(field, the matching line) of the first search field that answers the query alone."""
    for name in entity.search_fields:
        value = getattr(record, name, None)
        if value is None or value == "":
            continue
        for line in str(value).splitlines() or [str(value)]:
            if matches(line, query):
                return name, line
    return None


def snippet(line: str, query: Query) -> str:
    """A long line cut to the words around the match."""
    if len(line) <= SNIPPET * 2:
        return line
    folded = fold(line)
    needle = query.fragment or (query.words[0] if query.words else "")
    at = max(folded.find(needle), 0) if needle else 0
    start = max(at - SNIPPET // 2, 0)
    end = min(start + SNIPPET * 2, len(line))
    return ("…" if start else "") + line[start:end].strip() + ("…" if end < len(line) else "")


def shown(entity: Any, name: str, value: Any) -> str:
    return str(entity.display(name, value))


def hits(entity: Any, records: list[Any], q: str) -> list[Hit]:
    """Each record with up to three details: the matched field, the phone, linked records."""
    query = parse(q)
    declared = entity.schema._declared_fields
    link_fields = [name for name, f in declared.items() if f.metadata.get("link") and f.metadata["link"] != USER
                   and name in entity.model.__table__.c]
    titles = {name: links.titles(declared[name].metadata["link"], {getattr(r, name) for r in records}) for name in link_fields}
    found = []
    for record in records:
        details: list[Detail] = []
        match = matched(entity, record, query)
        if match and match[0] != entity.title_field:
            name, line = match
            details.append(Detail(str(entity.field_label(name)), snippet(shown(entity, name, line), query), matched=True))
        phone = getattr(record, PHONE_FIELD, None) if PHONE_FIELD in declared else None
        if phone and not (match and match[0] == PHONE_FIELD):
            details.append(Detail(str(entity.field_label(PHONE_FIELD)), shown(entity, PHONE_FIELD, phone)))
        for name in link_fields:
            title = titles[name].get(getattr(record, name, None))
            if title:
                details.append(Detail(str(entity.field_label(name)), title))
        found.append(Hit(record, details[:DETAILS]))
    return found
