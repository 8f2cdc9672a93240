"""What happens to a deal as it is saved, whichever path saved it (form, API, import, board):
entering a stage stamps ``stage_entered_at``; a won or lost stage stamps ``closed_at`` (and the
final amount when won); an open stage again (a reopen) clears them; the amount follows the line
items when there are any; the competitors who won are kept in pipelines_deal_competitor."""

from __future__ import annotations

from typing import Any

from flask import g, has_app_context
from sqlalchemy import delete, select, update

from crmkit import State, db
from crmkit.core.pipelines import money, names
from crmkit.core.pipelines.models import Deal, DealCompetitor, LineItem
from crmkit.db import among, utcnow
from crmkit.i18n import gettext as _

LINE_LIMIT = 500  # the most lines a deal holds; the editor refuses more


def stage_states(session, values: Any) -> list[State]:
    """The workflow's states of a deal: the stages of its pipeline in board order. A lost stage
    requires a loss reason; an archived one keeps its deals but takes no new ones. Built once per
    pipeline and language for the request (an import checks every row against them), dropped
    with the stages by ``names.forget``."""
    pipeline_id = values.get("pipeline_id")
    if not has_app_context():
        return pipeline_states(pipeline_id, names.language())
    built = g.setdefault(names.STATES_KEY, {})
    key = (pipeline_id, names.language())
    if key not in built:
        built[key] = pipeline_states(pipeline_id, key[1])
    return built[key]


def pipeline_states(pipeline_id: Any, lang: str) -> list[State]:
    stages = sorted((s for s in names.stages().values() if s.pipeline_id == pipeline_id), key=lambda s: (s.position, s.id))
    return [State(key=str(s.id), label=names.shown(s.names, lang) or f"#{s.id}", kind=s.kind,
                  requires=("loss_reason_id",) if s.kind == "lost" else (), archived=s.archived_at is not None)
            for s in stages]


def refused_move(record: Any, target: State, values: dict[str, Any]) -> str | None:
    """Why a move is refused beyond the workflow's own rules, or None: no deal enters an archived
    pipeline (its deals stay and still move within it), and closing as lost takes a reason still
    on the list (an archived one stays only on the deals that already cite it)."""
    pipeline = names.pipelines().get(values.get("pipeline_id"))
    entering = record is None or record.pipeline_id != values.get("pipeline_id")
    if pipeline is not None and pipeline.archived_at is not None and entering:
        return _("The pipeline %(pipeline)s is archived; choose another.", pipeline=names.shown(pipeline.names))
    reason = names.loss_reasons().get(values.get("loss_reason_id"))
    if target.kind == "lost" and reason is not None and reason.archived_at is not None:
        return _("The loss reason %(reason)s is archived; choose another.", reason=names.shown(reason.names))
    return None


def stage_kind(stage_id: Any) -> str | None:
    stage = names.stages().get(stage_id)
    return stage.kind if stage is not None else None


def line_items(session, deal_id: int) -> list[LineItem]:
    statement = select(LineItem).where(LineItem.deal_id == deal_id).order_by(LineItem.position, LineItem.id)
    return list(session.execute(statement.limit(LINE_LIMIT)).scalars())


def competitor_ids(session, deal_id: int) -> list[int]:
    statement = select(DealCompetitor.organization_id).where(DealCompetitor.deal_id == deal_id)
    return sorted(session.execute(statement.order_by(DealCompetitor.organization_id).limit(LINE_LIMIT)).scalars())


def enter_stage(deal: Any, entering: bool) -> None:
    """Stamp what entering ``deal.stage_id`` means; ``entering``: the stage changed (or is new)."""
    if not entering:
        return
    now = utcnow()
    deal.stage_entered_at = now
    kind = stage_kind(deal.stage_id)
    if kind in ("won", "lost"):
        deal.closed_at = now
        deal.won_amount = deal.amount if kind == "won" else None
        if kind == "won":
            deal.loss_reason_id = None
    else:
        deal.closed_at = None
        deal.won_amount = None
        deal.loss_reason_id = None


def follow_line_items(session, deal: Any) -> None:
    """A deal with line items has their total as its amount."""
    if deal.id is None:
        return
    items = line_items(session, deal.id)
    if items:
        deal.amount = money.totals(items).total
        if stage_kind(deal.stage_id) == "won":
            deal.won_amount = deal.amount


def save_competitors(session, deal: Any, wanted: list[int] | None) -> None:
    session.execute(delete(DealCompetitor).where(DealCompetitor.deal_id == deal.id))
    session.add_all(DealCompetitor(deal_id=deal.id, organization_id=org_id) for org_id in wanted or [])
    session.flush()
    deal.competitor_ids = wanted  # what the deal reads from now on, not the rows loaded with it


def on_event(event: str, record: Any, changes: dict[str, Any]) -> None:
    """The deal's side of ``entity_event`` (``changes``: the values on create, ``{field: [old,
    new]}`` on update)."""
    session = db.session()
    if event == "before_create":
        enter_stage(record, True)
    elif event == "before_update":
        enter_stage(record, "stage_id" in changes)
        if "amount" in changes or ("stage_id" in changes and stage_kind(record.stage_id) == "won"):
            follow_line_items(session, record)  # else the amount already is the lines' total
    elif event == "after_create" and changes.get("competitor_ids"):
        save_competitors(session, record, changes["competitor_ids"])
    elif event == "after_update":
        if "competitor_ids" in changes:
            save_competitors(session, record, changes["competitor_ids"][1])
        elif reopened(changes) and competitor_ids(session, record.id):
            save_competitors(session, record, [])  # whoever won it has not yet


def reopened(changes: dict[str, Any]) -> bool:
    """The change moved a won or lost deal to an open stage (a move between open stages, the
    board's usual one, needs no look at the competitors)."""
    if "stage_id" not in changes:
        return False
    old, new = changes["stage_id"]
    return stage_kind(old) in ("won", "lost") and stage_kind(new) == "open"


def after_import(session, ids: list[int]) -> None:
    """What ``on_event`` does one deal at a time, for a chunk of imported deals in two UPDATEs: a
    deal imported into a won or lost stage is closed, a won one with its amount as the final one.
    (Deals have no duplicate keys, so an import only creates them.)"""
    if not ids:
        return
    mine = among(Deal.id, ids, session.get_bind().dialect.name)
    now = utcnow()
    for kind in ("won", "lost"):
        closing = [s.id for s in names.stages().values() if s.kind == kind]
        if closing:
            session.execute(update(Deal).where(mine, Deal.stage_id.in_(closing), Deal.closed_at.is_(None))
                            .values(closed_at=now, won_amount=Deal.amount if kind == "won" else None))
