"""SQLite: FTS5 tables over core_search_document, one for words, one of trigrams for fragments."""

from __future__ import annotations

from sqlalchemy import Integer, func, select, text, union

from crmkit.search.models import FTS_TABLE, TABLE, TRIGRAM_TABLE, SearchDocument
from crmkit.search.text import Query

# Run by the core migration that creates the index; external-content tables kept in step by triggers.
CREATE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(content, content='{TABLE}', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    f"CREATE VIRTUAL TABLE {TRIGRAM_TABLE} USING fts5(content, digits, content='{TABLE}', content_rowid='id', "
    "tokenize='trigram')",
    f"""CREATE TRIGGER core_search_document_ai AFTER INSERT ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content);
        INSERT INTO {TRIGRAM_TABLE}(rowid, content, digits) VALUES (new.id, new.content, new.digits);
    END""",
    f"""CREATE TRIGGER core_search_document_ad AFTER DELETE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
        INSERT INTO {TRIGRAM_TABLE}({TRIGRAM_TABLE}, rowid, content, digits)
            VALUES ('delete', old.id, old.content, old.digits);
    END""",
    f"""CREATE TRIGGER core_search_document_au AFTER UPDATE ON {TABLE} BEGIN
        INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, content) VALUES ('delete', old.id, old.content);
        INSERT INTO {TRIGRAM_TABLE}({TRIGRAM_TABLE}, rowid, content, digits)
            VALUES ('delete', old.id, old.content, old.digits);
        INSERT INTO {FTS_TABLE}(rowid, content) VALUES (new.id, new.content);
        INSERT INTO {TRIGRAM_TABLE}(rowid, content, digits) VALUES (new.id, new.content, new.digits);
    END""",
]
DROP = [
    "DROP TRIGGER IF EXISTS core_search_document_au",
    "DROP TRIGGER IF EXISTS core_search_document_ad",
    "DROP TRIGGER IF EXISTS core_search_document_ai",
    f"DROP TABLE IF EXISTS {TRIGRAM_TABLE}",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]


def phrase(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def fts_words(words: tuple[str, ...]) -> str:
    """Each word must start a word of the record; a single letter must be a whole word."""
    return " ".join(phrase(w) + ("*" if len(w) > 1 else "") for w in words)


def hits(query: Query, cap: int | None):
    """The ids of the index entries (of any entity) the query finds; with ``cap``, each way of
    matching contributes at most its ``cap`` most recently indexed entries."""
    limit = f" ORDER BY rowid DESC LIMIT {int(cap)}" if cap else ""
    sources = []
    if query.words:
        sources.append((FTS_TABLE, "words", fts_words(query.words)))
    if query.fragment:
        sources.append((TRIGRAM_TABLE, "fragment", "{content} : " + phrase(query.fragment)))
    if query.digits:
        sources.append((TRIGRAM_TABLE, "digits", "{digits} : " + phrase(query.digits)))
    parts = [
        text(f"SELECT * FROM (SELECT rowid AS id FROM {table} WHERE {table} MATCH :{name}{limit})")
        .bindparams(**{name: value})
        .columns(id=Integer)
        for table, name, value in sources
    ]
    return (union(*parts) if len(parts) > 1 else parts[0]).subquery("hits")


def matching(query: Query, entity_key: str, cap: int | None):
    """A SELECT of (record_id, doc_id) of the entity's entries the query finds (see ``hits``)."""
    found = hits(query, cap)
    return (
        select(SearchDocument.record_id, SearchDocument.id.label("doc_id"))
        .select_from(found)
        .join(SearchDocument, SearchDocument.id == found.c.id)
        .where(SearchDocument.entity == entity_key)
    )


def truncated(db, query: Query, entity_key: str, cap: int) -> bool:
    """Whether ``cap`` left out entries: some way of matching found ``cap`` of them or more."""
    return db.execute(select(func.count()).select_from(hits(query, cap))).scalar_one() >= cap
