"""My day's deals (``myday_panels``): the agent's open deals left in a stage longer than its rot
days, and those past their expected close date. Bounded queries on the agent's own indexes
(ix_pipelines_deal_owner_idle, ix_pipelines_deal_owner_due), whatever the size of the table."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crmkit import Panel
from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal
from crmkit.core.pipelines.timeline import deal_records
from crmkit.db import utcnow
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l

SHOWN = 20


def my_deals(user: Any) -> tuple[Records, Any] | None:
    """Records of deals for ``user`` and a SELECT of their own deals, or None when they see none."""
    records = deal_records(user)
    return None if records is None else (records, records.select().where(Deal.owner_id == user.id))


def rotting(user: Any, limit: int = SHOWN) -> list[Deal]:
    """The user's deals idle in an open stage for longer than its rot days, longest idle first:
    per stage, a range of ix_pipelines_deal_owner_idle (owner, stage, entered before the cut-off)
    read in order and cut at the limit, so the work is bounded by the limit times the stages."""
    found = my_deals(user)
    stages = [s for s in names.stages().values() if s.kind == "open" and s.rot_days and s.archived_at is None]
    if found is None or not stages:
        return []
    records, mine = found
    now = utcnow()
    idle = []
    for stage in stages:
        statement = mine.where(Deal.stage_id == stage.id, Deal.stage_entered_at < now - timedelta(days=stage.rot_days))
        idle += records.db.execute(statement.order_by(Deal.stage_entered_at, Deal.id).limit(limit + 1)).scalars()
    return sorted(idle, key=lambda deal: (deal.stage_entered_at, deal.id))[: limit + 1]


def overdue(user: Any, limit: int = SHOWN) -> list[Deal]:
    """The user's open deals whose expected close date has passed, the longest overdue first
    (ix_pipelines_deal_owner_due: owner, still open, close date before today)."""
    found = my_deals(user)
    if found is None:
        return []
    records, mine = found
    statement = mine.where(Deal.closed_at.is_(None), Deal.expected_close_on < utcnow().date())
    statement = statement.order_by(Deal.expected_close_on, Deal.id).limit(limit + 1)
    return list(records.db.execute(statement).scalars())


def panels(user: Any) -> list[Panel]:
    if not getattr(user, "is_authenticated", False):
        return []
    idle, late = rotting(user), overdue(user)
    common = {"stage_name": names.stage_name, "shown": SHOWN}
    return [
        Panel(_l("Rotting deals"), "pipelines/myday_deals.html",
              {**common, "deals": idle[:SHOWN], "more": len(idle) > SHOWN, "kind": "rotting"}, order=10),
        Panel(_l("Deals past their close date"), "pipelines/myday_deals.html",
              {**common, "deals": late[:SHOWN], "more": len(late) > SHOWN, "kind": "overdue"}, order=11),
    ]
