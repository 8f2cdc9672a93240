"""PostgreSQL: GIN indexes of (entity, trigrams) on the three indexed columns, read newest first
in two steps.

A GIN index finds every match before any can be returned, and a backward scan of the entity's
newest entries stops early only when matches are common; the planner picks between them from
statistics that swing (a bulk write, autovacuum), so ``newest`` does both itself: it first checks
the entity's ``WINDOW`` newest entries, which is enough for a common query, and only when they
hold too few hits asks the GIN indexes, which is cheap for a rare query. The entity is the first
column of each GIN index (btree_gin), so a word common in one entity costs nothing in another.
"""

from __future__ import annotations

from sqlalchemy import (
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    text,
)

from crmkit.search.models import SearchDocument
from crmkit.search.text import Query

WINDOW = 2000  # newest entries checked first
MAX_WINDOW = 4 * WINDOW  # the widest second look, before the GIN indexes
IDENTIFIER = 5  # letters and digits in a word this long: the GIN index is asked for it alone


def extension_schema(bind, name: str) -> str:
    """The schema of extension ``name``, installing it first when needed.

    Extensions are database-wide: one is used from whichever schema holds it, and installed into
    ``public`` when there is one (so that dropping one schema, e.g. a tenant's or a test's, never
    drops it from under the others), else into the current schema. An advisory lock makes
    concurrent migrations of several schemas take turns.
    """
    bind.execute(text("SELECT pg_advisory_xact_lock(hashtext('crmkit.search extensions'))"))
    found = text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = :name")
    schema = bind.execute(found, {"name": name}).scalar()
    if schema is None:
        public = bind.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
        schema = "public" if public else bind.execute(text("SELECT current_schema()")).scalar()
        bind.execute(text(f'CREATE EXTENSION IF NOT EXISTS {name} SCHEMA "{schema}"'))
    return schema


def trgm_ops(bind) -> str:
    """The qualified gin_trgm_ops, installing pg_trgm first when needed."""
    return f'"{extension_schema(bind, "pg_trgm")}".gin_trgm_ops'


def condition(query: Query, columns):
    """Whether a row of ``columns`` (the table's, or a subquery's) is a hit of ``query``."""
    ways = []
    words, fragment = query.word_patterns(), query.fragment_pattern()
    if key := _identifier(query):
        # Every way by text contains this word, so the GIN index is asked for it alone and the
        # rest is checked on the few rows it gives: a long pattern's trigrams are each a posting
        # list to read, and those of "mail" or "kz" are hundreds of thousands long at a million.
        exact = [func.strpos(columns.content, fragment) > 0]
        if words:
            exact.append(and_(*(func.strpos(columns.content, w) > 0 for w in words)))
        ways.append(and_(columns.content.contains(key, autoescape=True), or_(*exact)))
    else:
        if words:
            ways.append(and_(*(columns.content.contains(w, autoescape=True) for w in words)))
        if fragment:
            ways.append(columns.content.contains(fragment, autoescape=True))
    # "<> ''" lets the planner use the partial indexes, which leave out entries without phones
    if pairs := query.digit_pairs():
        found = [columns.digit_pairs != "", columns.digit_pairs.contains(pairs, autoescape=True)]
        if len(query.digits) % 2:  # an odd last digit is not in the pairs
            found.append(columns.digits.contains(query.digits, autoescape=True))
        ways.append(and_(*found))
    elif query.digits:
        ways.append(and_(columns.digits != "", columns.digits.contains(query.digits, autoescape=True)))
    return or_(*ways)


def _identifier(query: Query) -> str:
    """The longest word of letters and digits both, of five or more (a login, an account or
    order number in an email): nearly unique, where a name's or a number's trigrams are not."""
    mixed = [w for w in query.words if len(w) >= IDENTIFIER and not w.isdigit() and any(c.isdigit() for c in w)]
    return max(mixed, key=len) if mixed and len(query.words) > 1 else ""


def add(db, entity_key: str, entries: list[tuple[int, str, str, str]]) -> None:
    """Insert ``entries`` (record_id, content, digits, digit_pairs) of the entity (ids from the
    sequence: the last is the newest)."""
    columns = ("record_id", "content", "digits", "digit_pairs")
    db.execute(insert(SearchDocument), [{"entity": entity_key, **dict(zip(columns, entry))} for entry in entries])


def remove(db, *where) -> None:
    db.execute(delete(SearchDocument).where(*where))


def matching(query: Query, entity_key: str):
    """A SELECT of the record_id of every entry of the entity that ``query`` finds."""
    columns = SearchDocument.__table__.c
    return select(SearchDocument.record_id).where(SearchDocument.entity == entity_key, condition(query, columns))


def in_window(query: Query, entity_key: str, count: int, after: int | None = None, size: int = WINDOW):
    """A SELECT of up to ``count`` (id, record_id) of the hits among the entity's ``size``
    newest entries (older than ``after``), newest first."""
    doc = SearchDocument
    older = [doc.id < after] if after is not None else []
    # The entity as a range, not "=": ORDER BY entity, id then keeps both columns, which only
    # (entity, id) can give; with "=" the planner may walk the primary key and skip other entities.
    recent = (
        select(doc.id, doc.record_id, doc.content, doc.digits, doc.digit_pairs)
        .where(doc.entity.between(entity_key, entity_key), *older)
        .order_by(doc.entity.desc(), doc.id.desc())
        .limit(size)
        .subquery("recent")
    )
    return select(recent.c.id, recent.c.record_id).where(condition(query, recent.c)).order_by(recent.c.id.desc()).limit(count)


def by_index(query: Query, entity_key: str, count: int, after: int | None = None):
    """A SELECT of up to ``count`` (id, record_id) of all the entity's hits (older than
    ``after``), newest first, found through the GIN indexes."""
    doc = SearchDocument
    older = [doc.id < after] if after is not None else []
    return (
        select(doc.id, doc.record_id)
        .where(doc.entity == entity_key, *older, condition(query, doc.__table__.c))
        .order_by((doc.id + 0).desc())  # + 0: sort the GIN's hits, never walk the whole id index
        .limit(count)
    )


def newest(db, query: Query, entity_key: str, count: int, after: int | None = None) -> list[tuple[int, int]]:
    """Up to ``count`` (entry id, record id) of the entity's hits, newest first, older than the
    entry ``after`` when given."""
    found = [tuple(row) for row in db.execute(in_window(query, entity_key, count, after))]
    if found and len(found) < count:
        # As many hits again, going by the ones found, if a wider window is cheap enough: a window
        # reads a few microseconds a row, the GIN way ten and more a hit, and a word in one
        # record of three hundred has thousands of hits at a million.
        size = WINDOW + WINDOW * (count - len(found)) * 3 // (2 * len(found))
        if size <= MAX_WINDOW:
            found = [tuple(row) for row in db.execute(in_window(query, entity_key, count, after, size))]
    if len(found) == count:
        return found
    return [tuple(row) for row in db.execute(by_index(query, entity_key, count, after))]


def first_hits(db, query: Query, entity_keys: list[str], count: int) -> dict[str, tuple[list[tuple[int, int]], bool]]:
    """The first page of every entity's hits: ``{key: (up to count (entry id, record id) newest
    first, whether that is all of them)}``."""
    pages = {key: newest(db, query, key, count) for key in entity_keys}
    return {key: (hits, len(hits) < count) for key, hits in pages.items()}
