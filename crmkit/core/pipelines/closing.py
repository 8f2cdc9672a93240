"""Closing a deal as won or lost and reopening it: each is a move of its stage through
``Records.update``, so the workflow's rules (a lost stage needs a reason), locking, history and the
transition rows apply exactly as on the board and over the API."""

from __future__ import annotations

from typing import Any

from crmkit.core.pipelines import names
from crmkit.entities.service import Invalid, Records
from crmkit.i18n import gettext as _


def stages_of_kind(pipeline_id: int, kind: str) -> list[Any]:
    """Live stages of a pipeline of one kind, in board order."""
    found = [s for s in names.stages().values() if s.pipeline_id == pipeline_id and s.kind == kind and s.archived_at is None]
    return sorted(found, key=lambda s: (s.position, s.id))


def closing_stage(deal: Any, kind: str) -> int:
    found = stages_of_kind(deal.pipeline_id, kind)
    if not found:
        message = _("The pipeline has no won stage.") if kind == "won" else _("The pipeline has no lost stage.")
        raise Invalid({"stage_id": [message]})
    return found[0].id


def close_won(records: Records, deal: Any, amount: str | None, version: int) -> Any:
    values: dict[str, Any] = {"stage_id": closing_stage(deal, "won")}
    if amount:
        values["amount"] = amount
    return records.update(deal, values, version=version)


def close_lost(records: Records, deal: Any, reason_id: str | None, competitor_ids: list[str], note: str | None,
               version: int) -> Any:
    if not reason_id:
        raise Invalid({"loss_reason_id": [_("Choose why the deal was lost.")]})
    values = {"stage_id": closing_stage(deal, "lost"), "loss_reason_id": reason_id,
              "competitor_ids": [c for c in competitor_ids if c], "loss_note": (note or "").strip() or None}
    return records.update(deal, values, version=version)


def reopen(records: Records, deal: Any, stage_id: str | None, version: int) -> Any:
    open_ids = {str(s.id) for s in stages_of_kind(deal.pipeline_id, "open")}
    if stage_id not in open_ids:
        raise Invalid({"stage_id": [_("Choose an open stage of the deal's pipeline.")]})
    return records.update(deal, {"stage_id": stage_id}, version=version)


def is_closed(deal: Any) -> bool:
    stage = names.stages().get(deal.stage_id)
    return stage is not None and stage.kind in ("won", "lost")
