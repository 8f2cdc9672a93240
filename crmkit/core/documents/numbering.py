"""Document numbers per type and year, gap-free: "КП-2026-0001".

The next number is taken in the caller's transaction from ``documents_sequence``: the row is
locked (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite locks the whole database on the UPDATE)
and incremented, so two documents made at once get two numbers, and a transaction that rolls
back gives its number back with it: there is never a hole.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from crmkit.core.documents.models import PREFIXES, DocumentSequence

TABLE = DocumentSequence.__table__


def ensure_row(session, doc_type: str, year: int) -> None:
    """The year's row, inserted once; a concurrent insert of the same row is harmless."""
    if session.execute(select(TABLE.c.last).where(TABLE.c.doc_type == doc_type, TABLE.c.year == year)).first():
        return
    try:
        with session.begin_nested():
            session.execute(insert(TABLE).values(doc_type=doc_type, year=year, last=0))
    except IntegrityError:
        pass


def next_value(session, doc_type: str, year: int) -> int:
    """Take the next number of ``doc_type`` in ``year``; the row stays locked until the commit."""
    ensure_row(session, doc_type, year)
    where = (TABLE.c.doc_type == doc_type, TABLE.c.year == year)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(TABLE.c.last).where(*where).with_for_update()).scalar_one()
    session.execute(update(TABLE).where(*where).values(last=TABLE.c.last + 1))
    return session.execute(select(TABLE.c.last).where(*where)).scalar_one()


def formatted(doc_type: str, year: int, value: int) -> str:
    return f"{PREFIXES.get(doc_type, 'ДОК')}-{year}-{value:04d}"


def next_number(session, doc_type: str, year: int) -> str:
    return formatted(doc_type, year, next_value(session, doc_type, year))
