"""Groups of people (or organisations) sharing a phone, an email or an IIN/BIN, for the page.

Each kind is one GROUP BY over an indexed column (``contacts_channel (kind, value)``, ``iin``,
``bin``) restricted to the records the user sees, HAVING more than one, paged by the shared
value (keyset) and limited; then one query loads the members of the page's groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, func, select

from crmkit.core.contacts import phones
from crmkit.core.contacts.models import Channel
from crmkit.core.duplicates import switchboard
from crmkit.entities.service import Records

KINDS = ("phone", "email", "id")
PAGE_SIZE = 25
SCAN_LIMIT = 5000  # shared numbers checked for switchboards for one page at most
MEMBERS_LIMIT = 500  # per page; a group shows how many it has even when not all are listed


@dataclass
class Group:
    value: str
    count: int
    members: list[Any] = field(default_factory=list)
    label: str = ""


@dataclass
class Page:
    groups: list[Group]
    next_after: str | None


def id_column(records: Records):
    return records.model.iin if records.entity.key == "person" else records.model.bin


def find(records: Records, kind: str, after: str | None = None, size: int = PAGE_SIZE) -> Page:
    model = records.model
    visible = records.select().with_only_columns(model.id)
    if kind == "id":
        column = id_column(records)
        statement = (
            select(column, func.count())
            .where(model.id.in_(visible), column.is_not(None))
            .group_by(column)
        )
        counted = func.count()
    else:
        column, counted = Channel.value, func.count()
        statement = (
            select(column, counted)
            .where(Channel.kind == kind, Channel.entity == records.entity.key, Channel.record_id.in_(visible))
            .group_by(column)
        )
    statement = statement.having(counted > 1).order_by(column)
    cut = None
    if kind == "phone" and records.entity.key == "person" and switchboard.people_needed():  # colleagues sharing a switchboard left out
        rows, cut = without_switchboards(records, switchboard.candidates(visible), column, visible, after, size + 1)
    else:
        rows = records.db.execute((statement.where(column > after) if after else statement).limit(size + 1)).all()
    groups = [Group(value, count, label=phones.pretty(value) if kind == "phone" else value) for value, count in rows[:size]]
    fill(records, kind, groups)
    return Page(groups, rows[size - 1][0] if len(rows) > size else cut)


def without_switchboards(records: Records, statement, column, visible, after: str | None, wanted: int) -> tuple[list, str | None]:
    """Up to ``wanted`` (phone, people) groups of ``statement`` (shared numbers in order, read
    through the channel index) that still have two people once switchboard colleagues are set
    aside: candidates a page at a time, larger each time, checked by ``switchboard.remaining``.
    At most SCAN_LIMIT candidates are checked for one page; when that cuts it short, the last
    one checked is returned as where the next page starts (else None)."""
    found: list = []
    batch, scanned = wanted, 0
    while len(found) < wanted:
        page = records.db.execute((statement.where(column > after) if after else statement).limit(batch)).all()
        if not page:
            return found, None
        left = switchboard.remaining(records.db, visible, [value for value, _count in page])
        found.extend((value, left[value]) for value, _count in page if left.get(value, 0) > 1)
        after, scanned = page[-1][0], scanned + len(page)
        if len(page) < batch:
            return found[:wanted], None
        if scanned >= SCAN_LIMIT and len(found) < wanted:
            return found, after
        batch = min(batch * 4, SCAN_LIMIT)
    return found[:wanted], None


def fill(records: Records, kind: str, groups: list[Group]) -> None:
    """Load the visible members of the groups, oldest first, in one query."""
    if not groups:
        return
    model = records.model
    by_value = {g.value: g for g in groups}
    if kind == "id":
        column = id_column(records)
        statement = records.select().add_columns(column).where(column.in_(by_value))
    else:
        mine = and_(Channel.record_id == model.id, Channel.entity == records.entity.key, Channel.kind == kind)
        statement = records.select().join(Channel, mine).add_columns(Channel.value).where(Channel.value.in_(by_value))
    rows = records.db.execute(statement.order_by(model.id).limit(MEMBERS_LIMIT)).all()
    skipped = switchboard.left_out(rows) if kind == "phone" and records.entity.key == "person" else set()
    for record, value in rows:
        if (record.id, value) not in skipped:
            by_value[value].members.append(record)
