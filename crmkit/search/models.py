"""The search index's one modelled table, and the engine-specific structures kept beside it.

``core_search_document`` holds one row per indexed record: the normalised text of its search
fields (``content``) and a digits-only form of its phone-like values (``digits``). The engines
index it in their own way, with structures that no SQLModel describes:

- SQLite: two FTS5 tables over it (external content, kept in step by triggers):
  ``core_search_fts`` (unicode61, remove_diacritics 2) for words and prefixes, and
  ``core_search_trigram`` (trigram tokenizer) for fragments of text and of phone numbers.
- PostgreSQL: a generated ``tsv`` column (``to_tsvector('simple', content)``) with a GIN index,
  and pg_trgm GIN indexes on ``content`` and ``digits``.

``ENGINE_MANAGED`` names them all; crmkit.migrate leaves them out when it compares models with
the database, so ``crmkit db check`` passes on both engines.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

TABLE = "core_search_document"
FTS_TABLE = "core_search_fts"
TRIGRAM_TABLE = "core_search_trigram"
FTS5_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")

# Names of database objects the core manages outside its models: tables, indexes, and columns as
# "table.column". Only engine-specific search structures belong here.
ENGINE_MANAGED: frozenset[str] = frozenset(
    {FTS_TABLE, TRIGRAM_TABLE}
    | {base + suffix for base in (FTS_TABLE, TRIGRAM_TABLE) for suffix in FTS5_SHADOWS}
    | {f"{TABLE}.tsv", "ix_core_search_document_tsv", "ix_core_search_document_content_trgm", "ix_core_search_document_digits_trgm"}
)


class SearchDocument(SQLModel, table=True):
    """What the search index knows of one record."""

    __tablename__ = TABLE
    __table_args__ = (UniqueConstraint("entity", "record_id", name="uq_core_search_document_entity_record"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(sa_column=Column(String(100), nullable=False))
    record_id: int = Field(sa_column=Column(Integer, nullable=False))
    content: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    digits: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
