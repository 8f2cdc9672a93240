"""The search index's one modelled table, and the engine-specific structures kept beside it.

``core_search_document`` holds one row per indexed record: the folded text of its search fields
with its words marked (``content``), the digits of its phone-like values (``digits``) and those
digits two to a character (``digit_pairs``); see crmkit.search.text. The engines index it in
their own way, with structures that no SQLModel describes:

- SQLite: ``core_search_trigram``, an FTS5 trigram table over the three columns (external
  content, written by crmkit.search.sqlite along with the table, so the table is written only
  through crmkit.search); entry ids count down in a range per entity.
- PostgreSQL: GIN indexes of (entity, pg_trgm trigrams) on the three columns (btree_gin), and
  ``(entity, id)`` to read an entity's newest entries first.

``ENGINE_MANAGED`` names them all; crmkit.migrate leaves them out when it compares models with
the database, so ``crmkit db check`` passes on both engines.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

TABLE = "core_search_document"
TRIGRAM_TABLE = "core_search_trigram"
FTS5_SHADOWS = ("_data", "_idx", "_docsize", "_config", "_content")
PG_INDEXES = {
    "ix_core_search_document_content_trgm": "content",
    "ix_core_search_document_digits_trgm": "digits",
    "ix_core_search_document_digit_pairs_trgm": "digit_pairs",
}
PG_NEWEST_INDEX = "ix_core_search_document_entity_id"

# Names of database objects the core manages outside its models: tables, indexes, and columns as
# "table.column". Only engine-specific search structures belong here.
ENGINE_MANAGED: frozenset[str] = frozenset(
    {TRIGRAM_TABLE} | {TRIGRAM_TABLE + suffix for suffix in FTS5_SHADOWS} | set(PG_INDEXES) | {PG_NEWEST_INDEX}
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
    digit_pairs: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
