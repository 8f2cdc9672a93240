"""Search over every entity's declared search fields, on SQLite (an FTS5 trigram table) and
PostgreSQL (pg_trgm GIN indexes), behind one interface.

The index (``core_search_document``, see crmkit.search.models) holds the folded text of each
record's search fields and the digits of its phone-like values (see crmkit.search.text for how
they are written so that one trigram index answers every part of a query). A query finds a record
when every word of it starts a word of the record ("иван" finds "Иванов"), when it occurs
anywhere in the text ("vanov@exa" finds "ivanov@example.com"), or, for phone-like input, when
its digits occur in a phone number ("701 123" finds "+7 701 123 45 67").

- ``index(entity, record)`` and ``remove(entity, record_id)`` keep one record's entry; the
  built-in plugin crmkit.core.search calls them from the entity_event hook, in the same
  transaction as the change; ``index_ids(entity, ids)`` does the same for a bulk write (the
  records_imported hook).
- ``search(user, q, entity=None, limit=10)`` gives the records the user may see, grouped by
  entity type, most recently changed first: only entities the user may view, only records their
  Access sees, archived ones left out; visibility is applied in SQL through ``Records.select()``.
  Hits are read from the index newest first, a page at a time, until enough are visible, so a
  common word costs no more than a rare one.
- ``matching_ids(entity, q)`` is a SELECT of the ids of matching records, for combining with
  ``Records.select()`` (the REST API's ``?q=``)::

      statement = records.select().where(entity.model.id.in_(search.matching_ids(entity, q)))

  It applies no visibility by itself. An empty query matches nothing.
- ``reindex(entity=None, on_batch=...)`` rebuilds the index from the tables in batches
  (``crmkit search reindex [ENTITY]``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import false, func, select
from sqlalchemy.orm import object_session

from crmkit import db as database
from crmkit.entities.declaration import EntityType
from crmkit.search import postgres, sqlite
from crmkit.search.models import SearchDocument
from crmkit.search.text import Query, document, parse

__all__ = ["Group", "index", "index_ids", "matching_ids", "reindex", "remove", "search"]

BATCH = 1000
PAGE_GROWTH = 4  # each further page of hits, when too few were visible
MAX_PAGE = 2000


@dataclass(frozen=True)
class Group:
    """One entity type's hits: ``records``, most recently changed first; ``more`` when the limit cut some."""

    entity: EntityType
    records: list[Any]
    more: bool


def _session(db=None, record=None):
    return db or (object_session(record) if record is not None else None) or database.session()


def _backend(db):
    return postgres if db.get_bind().dialect.name == "postgresql" else sqlite


def _insert(db, entity: EntityType, rows: list[Any]) -> None:
    """Index ``rows`` of (id, *search field values); the last one counts as the most recent."""
    entries = []
    for record_id, *values in rows:
        doc = document(values)
        entries.append((record_id, doc.content, doc.digits, doc.digit_pairs))
    _backend(db).add(db, entity.key, entries)


def index(entity: EntityType, record: Any, db=None) -> None:
    """Put ``record`` into the index, replacing what was there; its session's transaction is used."""
    db = _session(db, record)
    remove(entity, record.id, db)
    if entity.search_fields:
        _insert(db, entity, [(record.id, *(getattr(record, f) for f in entity.search_fields))])


def index_ids(entity: EntityType, record_ids: list[int], db=None) -> None:
    """Put many records into the index at once (set-based, for bulk writes such as imports)."""
    db = _session(db)
    if not record_ids:
        return
    backend = _backend(db)
    backend.remove(db, SearchDocument.entity == entity.key, database.among(SearchDocument.record_id, record_ids, db.get_bind().dialect.name))
    if not entity.search_fields:
        return
    table = entity.model.__table__
    columns = [table.c[name] for name in entity.search_fields]
    rows = db.execute(select(table.c.id, *columns).where(table.c.id.in_(record_ids)).order_by(table.c.id)).all()
    if rows:
        _insert(db, entity, rows)


def remove(entity: EntityType, record_id: int, db=None) -> None:
    """Take a record out of the index."""
    db = _session(db)
    _backend(db).remove(db, SearchDocument.entity == entity.key, SearchDocument.record_id == record_id)


def matching_ids(entity: EntityType, q: str | Query, db=None):
    """A SELECT of the ids of ``entity``'s records that match ``q``, with no visibility applied."""
    query = parse(q) if isinstance(q, str) or q is None else q
    if query.empty:
        return select(SearchDocument.record_id).where(false())
    hits = _backend(_session(db)).matching(query, entity.key).subquery("matching")
    return select(hits.c.record_id)


def search(
    user: Any,
    q: str,
    entity: EntityType | None = None,
    limit: int = 10,
    include_archived: bool = False,
    db=None,
) -> list[Group]:
    """The records ``user`` may see that match ``q``, grouped by entity type, in registry order."""
    # the service imports the app's machinery
    from crmkit.entities.service import Records

    query = parse(q)
    if query.empty:
        return []
    db = _session(db)
    entities = [entity] if entity is not None else list(current_app.extensions["crmkit"].entities)
    readable = []
    for each in entities:
        records = Records(each, user, db)
        if each.search_fields and records.can("view"):
            readable.append((each, records))
    if not readable:
        return []
    first = _backend(db).first_hits(db, query, [each.key for each, _records in readable], limit + 1)
    groups = []
    for each, records in readable:
        found = _visible_hits(records, query, include_archived, limit + 1, *first[each.key])
        if found:
            groups.append(Group(each, found[:limit], len(found) > limit))
    return groups


def _visible_hits(records, query: Query, include_archived: bool, wanted: int, hits: list, complete: bool) -> list[Any]:
    """Up to ``wanted`` of the user's visible hits, most recently changed first.

    ``hits`` is the first page of (entry id, record id) from the index, newest first; each page is
    checked against the user's visibility in SQL, and while too few are visible and the index has
    more, the next page, larger each time, is read from where the last one stopped: an agent who
    sees a twentieth of the records costs a few pages, an admin usually the first alone.
    """
    backend, model = _backend(records.db), records.model
    found: list[Any] = []
    size = wanted
    while True:
        if hits:
            # Joined through the entries' primary keys: with "id IN (...)" SQLite may walk the
            # visibility index (an agent's owner_id: a twentieth of the table) and filter.
            entries = select(SearchDocument.record_id).where(SearchDocument.id.in_([entry for entry, _id in hits])).subquery()
            statement = records.select(include_archived).join(entries, entries.c.record_id == model.id)
            visible = {record.id: record for record in records.db.execute(statement).scalars()}
            found.extend(visible[i] for _entry, i in hits if i in visible)
        if len(found) >= wanted or complete or not hits:
            return found[:wanted]
        size = min(size * PAGE_GROWTH, MAX_PAGE)
        hits = backend.newest(records.db, query, records.entity.key, size, after=hits[-1][0])
        complete = len(hits) < size


def reindex(
    entities: Iterable[EntityType] | None = None,
    on_batch: Callable[[EntityType, int], None] = lambda _entity, _count: None,
    db=None,
    batch: int = BATCH,
) -> int:
    """Rebuild the entries of ``entities`` (all by default) from their tables.

    Rows are read in id order, ``batch`` at a time, never a whole table; each batch replaces the
    entries of its id range in one transaction, so search keeps working meanwhile.
    ``on_batch(entity, rows)`` reports progress. Returns how many records were indexed.
    """
    db = _session(db)
    backend = _backend(db)
    entities = list(current_app.extensions["crmkit"].entities if entities is None else entities)
    done = 0
    for entity in entities:
        table = entity.model.__table__
        columns = [table.c[name] for name in entity.search_fields]
        mine = SearchDocument.entity == entity.key
        last = 0
        while entity.search_fields:
            rows = db.execute(select(table.c.id, *columns).where(table.c.id > last).order_by(table.c.id).limit(batch)).all()
            if not rows:
                break
            backend.remove(db, mine, SearchDocument.record_id > last, SearchDocument.record_id <= rows[-1][0])
            _insert(db, entity, rows)
            db.commit()
            last = rows[-1][0]
            done += len(rows)
            on_batch(entity, len(rows))
        backend.remove(db, mine, SearchDocument.record_id > last)  # records no longer there
        db.commit()
    return done


def count_rows(entity: EntityType, db=None) -> int:
    """How many rows ``reindex`` will go through for ``entity`` (for a progress bar)."""
    return _session(db).execute(select(func.count()).select_from(entity.model.__table__)).scalar_one()
