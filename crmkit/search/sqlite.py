"""SQLite: one FTS5 trigram table over core_search_document, walked newest first.

Each entity's entries get ids in a range of their own (``span``), counting down, so that the
newest entry has the smallest id: FTS5 walks a match forwards by rowid many times faster than
backwards, and a rowid range keeps the walk inside one entity. A page of hits is then the first
few rowids of one MATCH, and the walk stops there however many records match.

The FTS table (external content, made by the core migration) is written here, one statement per
batch, not by triggers: a trigger makes FTS5 flush its pending terms for every row (each fires in
a savepoint), which made indexing five times slower. So core_search_document is written only
through ``add`` and ``remove``.
"""

from __future__ import annotations

import zlib

from sqlalchemy import (
    Integer,
    and_,
    column,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    table,
    text,
)

from crmkit.search.models import TRIGRAM_TABLE, SearchDocument
from crmkit.search.text import Query

SPAN_BITS = 40  # ids per entity: a trillion changes
SLOT_BITS = 22  # entity ranges; two keys sharing one only share a walk, the entity filter stays
COLUMNS = ("content", "digits", "digit_pairs")
FTS = table(TRIGRAM_TABLE, column(TRIGRAM_TABLE), column("rowid"), *(column(name) for name in COLUMNS))
INSERT_ENTRIES = f"INSERT INTO {SearchDocument.__tablename__} (id, entity, record_id, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)"


def span(entity_key: str) -> tuple[int, int]:
    """The first and last id of ``entity_key``'s entries."""
    first = (zlib.crc32(entity_key.encode()) & ((1 << SLOT_BITS) - 1)) << SPAN_BITS
    return first, first + (1 << SPAN_BITS) - 1


def add(db, entity_key: str, entries: list[tuple[int, str, str, str]]) -> None:
    """Insert ``entries`` (record_id, content, digits, digit_pairs) of the entity (the last counts
    as the newest) and index them."""
    first, last = span(entity_key)
    lowest = db.execute(select(func.min(SearchDocument.id)).where(SearchDocument.id.between(first, last))).scalar()
    start = last + 1 if lowest is None else lowest
    if start - len(entries) < first:
        raise RuntimeError(f"the search index has no ids left for {entity_key}: run `crmkit search reindex`")
    # Plain values to the driver: SQLAlchemy's executemany of dicts cost more than the INSERT itself.
    rows = [(start - 1 - number, entity_key, *entry) for number, entry in enumerate(entries)]
    db.connection().exec_driver_sql(INSERT_ENTRIES, rows)
    added = SearchDocument.id.between(start - len(entries), start - 1)
    columns = [getattr(SearchDocument, name) for name in COLUMNS]
    ordered = select(SearchDocument.id, *columns).where(added).order_by(SearchDocument.id)  # see remove
    db.execute(insert(FTS).from_select(["rowid", *COLUMNS], ordered))


def remove(db, *where) -> None:
    """Delete the entries ``where`` selects, and take them out of the FTS table first (an
    external-content table forgets a row only when given the values it indexed)."""
    columns = [getattr(SearchDocument, name) for name in COLUMNS]
    # In rowid order: FTS5 flushes its pending terms whenever a rowid is lower than the last one.
    gone = select(literal("delete"), SearchDocument.id, *columns).where(*where).order_by(SearchDocument.id)
    db.execute(insert(FTS).from_select([TRIGRAM_TABLE, "rowid", *COLUMNS], gone))
    db.execute(delete(SearchDocument).where(*where))


def phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def expression(query: Query) -> str:
    """The FTS5 MATCH expression of every way ``query`` can match (see crmkit.search.text)."""
    ways = []
    if words := query.word_patterns():
        ways.append("(" + " AND ".join(f"content : {phrase(w)}" for w in words) + ")")
    if query.fragment:
        ways.append(f"content : {phrase(query.fragment_pattern())}")
    if pairs := query.digit_pairs():
        ways.append(f"digit_pairs : {phrase(pairs)}")
    elif query.digits:
        ways.append(f"digits : {phrase(query.digits)}")
    return " OR ".join(ways)


def _exact(query: Query):
    """The condition that sorts out entries found by pairs alone when the digits are odd in number
    (the last digit is not in the pairs); None when the MATCH is exact by itself."""
    if len(query.digits) % 2 == 0 or not query.digit_pairs():
        return None
    found = [func.instr(SearchDocument.digits, query.digits) > 0]
    if query.fragment:
        found.append(func.instr(SearchDocument.content, query.fragment_pattern()) > 0)
    if words := query.word_patterns():
        found.append(and_(*(func.instr(SearchDocument.content, w) > 0 for w in words)))
    return or_(*found)


def _hits(query: Query, first: int, last: int):
    """A SELECT of (id, entity, record_id) of the entries with ids from ``first`` to ``last`` that
    ``query`` finds, in id order (newest first within each entity)."""
    found = (
        text(f"SELECT rowid AS id FROM {TRIGRAM_TABLE} WHERE {TRIGRAM_TABLE} MATCH :match AND rowid BETWEEN :first AND :last")
        .bindparams(match=expression(query), first=first, last=last)
        .columns(id=Integer)
        .subquery("hits")
    )
    statement = (
        select(found.c.id, SearchDocument.entity, SearchDocument.record_id)
        .select_from(found)
        .join(SearchDocument, SearchDocument.id == found.c.id)
        .order_by(found.c.id)
    )
    exact = _exact(query)
    return statement if exact is None else statement.where(exact)


def matching(query: Query, entity_key: str):
    """A SELECT of the record_id of every entry of the entity that ``query`` finds."""
    hits = _hits(query, *span(entity_key)).order_by(None).subquery()
    return select(hits.c.record_id).where(hits.c.entity == entity_key)


def newest(db, query: Query, entity_key: str, count: int, after: int | None = None) -> list[tuple[int, int]]:
    """Up to ``count`` (entry id, record id) of the entity's hits, newest first, older than the
    entry ``after`` when given."""
    first, last = span(entity_key)
    statement = _hits(query, first if after is None else after + 1, last).where(SearchDocument.entity == entity_key)
    return [(row.id, row.record_id) for row in db.execute(statement.limit(count))]


def first_hits(db, query: Query, entity_keys: list[str], count: int) -> dict[str, tuple[list[tuple[int, int]], bool]]:
    """The first page of every entity's hits in as few walks of the index as the hits allow:
    ``{key: (up to about count (entry id, record id) newest first, whether that is all of them)}``.

    One walk goes through the entities' ranges in id order; a range whose entity has ``count``
    hits is left at once, so a rare query costs one MATCH however many entities there are.
    """
    spans = sorted({span(key) for key in entity_keys})
    hits: dict[str, list[tuple[int, int]]] = {key: [] for key in entity_keys}
    left: set[str] = set()  # entities whose range was left with hits still unread
    cursor = spans[0][0]
    while cursor <= spans[-1][1]:
        rows = db.execute(_hits(query, cursor, spans[-1][1]).limit(count)).all()
        for row in rows:
            if row.entity in hits:
                hits[row.entity].append((row.id, row.record_id))
        if len(rows) < count:
            break
        last = rows[-1].id
        here = next((s for s in spans if s[0] <= last <= s[1]), None)
        keys = [key for key in entity_keys if span(key) == here]
        if here is None:  # another entity's range, between two of these
            cursor = next((s[0] for s in spans if s[0] > last), spans[-1][1] + 1)
        elif all(len(hits[key]) >= count for key in keys):
            left.update(keys)
            cursor = here[1] + 1
        else:
            cursor = last + 1
    return {key: (found, key not in left) for key, found in hits.items()}
