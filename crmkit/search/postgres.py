"""PostgreSQL: a generated tsvector column with a GIN index for words, pg_trgm for fragments."""

from __future__ import annotations

from sqlalchemy import func, or_, select, text

from crmkit.search.models import TABLE, SearchDocument
from crmkit.search.text import Query


def create(bind) -> list[str]:
    """Statements run by the core migration.

    pg_trgm is database-wide: it is used from whichever schema holds it, and installed into
    ``public`` when there is one (so that dropping one schema, e.g. a tenant's or a test's, never
    drops it from under the others), else into the current schema. An advisory lock makes
    concurrent migrations of several schemas take turns.
    """
    bind.execute(text("SELECT pg_advisory_xact_lock(hashtext('crmkit.search pg_trgm'))"))
    schema = bind.execute(
        text("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'")
    ).scalar()
    if schema is None:
        public = bind.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).scalar()
        schema = "public" if public else bind.execute(text("SELECT current_schema()")).scalar()
        bind.execute(text(f'CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA "{schema}"'))
    ops = f'"{schema}".gin_trgm_ops'
    return [
        f"ALTER TABLE {TABLE} ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', content)) STORED",
        f"CREATE INDEX ix_core_search_document_tsv ON {TABLE} USING gin (tsv)",
        f"CREATE INDEX ix_core_search_document_content_trgm ON {TABLE} USING gin (content {ops})",
        f"CREATE INDEX ix_core_search_document_digits_trgm ON {TABLE} USING gin (digits {ops})",
    ]


def tsquery(words: tuple[str, ...]) -> str:
    """Each word must start a word of the record; a single letter must be a whole word."""
    return " & ".join("'" + w.replace("'", "''") + "'" + (":*" if len(w) > 1 else "") for w in words)


def matching(query: Query, entity_key: str, cap: int | None):
    """A SELECT of (record_id, doc_id) of the entity's entries the query finds; with ``cap``, only
    the ``cap`` most recently indexed."""
    parts = []
    if query.words:
        parts.append(text(f"{TABLE}.tsv @@ to_tsquery('simple', :tsquery)").bindparams(tsquery=tsquery(query.words)))
    if query.fragment:
        parts.append(SearchDocument.content.contains(query.fragment, autoescape=True))
    if query.digits:
        parts.append(SearchDocument.digits.contains(query.digits, autoescape=True))
    statement = select(SearchDocument.record_id, SearchDocument.id.label("doc_id")).where(
        SearchDocument.entity == entity_key, or_(*parts)
    )
    return statement.order_by(SearchDocument.id.desc()).limit(cap) if cap else statement


def truncated(db, query: Query, entity_key: str, cap: int) -> bool:
    """Whether ``cap`` left out entries."""
    return db.execute(select(func.count()).select_from(matching(query, entity_key, cap).subquery())).scalar_one() >= cap
