"""The order of a record's files of one kind: ``position`` 0, 1, 2... as people arranged them
(the photos of an object, the first one its cover)."""

from __future__ import annotations

from sqlalchemy import select

from crmkit.core.files.models import Attachment


def siblings(session, attachment: Attachment) -> list[Attachment]:
    return list(session.execute(
        select(Attachment).where(Attachment.entity == attachment.entity, Attachment.record_id == attachment.record_id,
                                 Attachment.kind == attachment.kind)
        .order_by(Attachment.position, Attachment.id).limit(1000)).scalars())


def renumber(rows: list[Attachment]) -> None:
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position


def move(session, attachment: Attachment, step: int) -> None:
    """Swap the file with its neighbour before (``step`` -1) or after (+1); at an end, nothing."""
    rows = siblings(session, attachment)
    index = rows.index(attachment)
    other = index + step
    if 0 <= other < len(rows):
        rows[index], rows[other] = rows[other], rows[index]
    renumber(rows)


def arrange(session, entity_key: str, record_id: int, kind: str, ids: list[int]) -> bool:
    """Put the files in the order of ``ids``, which must name each of them once; False otherwise."""
    rows = list(session.execute(
        select(Attachment).where(Attachment.entity == entity_key, Attachment.record_id == record_id,
                                 Attachment.kind == kind).limit(1000)).scalars())
    by_id = {row.id: row for row in rows}
    if sorted(ids) != sorted(by_id) or len(set(ids)) != len(ids):
        return False
    renumber([by_id[i] for i in ids])
    return True
