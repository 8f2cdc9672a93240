"""What the deal's page adds to the framework's record page (``entity_panels`` and
``entity_actions``): its stage and how it closed, its line items with the total, its people in
their roles, and the time it spent in each stage (from the stored transitions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for

from crmkit import Action, Panel
from crmkit.core.pipelines import closing, deal_views, deals, money, names, parts
from crmkit.core.pipelines.models import PERSON_ROLES
from crmkit.core.records import links
from crmkit.db import utcnow
from crmkit.entities import workflow
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l


def rotting(deal: Any, now=None) -> bool:
    """An open deal left in its stage longer than the stage's rot days."""
    stage = names.stages().get(deal.stage_id)
    if stage is None or stage.kind != "open" or not stage.rot_days or deal.stage_entered_at is None:
        return False
    entered = deal.stage_entered_at.replace(tzinfo=None)
    return (now or utcnow()).replace(tzinfo=None) - entered > timedelta(days=stage.rot_days)


def stage_context(records: Records, deal: Any) -> dict[str, Any]:
    stage = names.stages().get(deal.stage_id)
    return {
        "deal": deal, "stage": stage, "stage_name": names.stage_name(deal.stage_id),
        "pipeline_name": names.pipeline_name(deal.pipeline_id),
        "probability": deal.probability if deal.probability is not None else (stage.probability if stage else None),
        "rotting": rotting(deal), "reason": names.loss_reason_name(deal.loss_reason_id) if deal.loss_reason_id else None,
        "competitors": deal_competitors(records, deal),
    }


def deal_competitors(records: Records, deal: Any) -> list[tuple[int, str | None]]:
    """The competitors who won the deal, titled when the user sees them."""
    ids = deals.competitor_ids(records.db, deal.id)
    shown = links.titles("organization", set(ids)) if ids else {}
    return [(i, shown.get(i)) for i in ids]


def stays(records: Records, deal: Any) -> list[tuple[str, Any, Any, int]]:
    """(stage name, entered, left or None, seconds) of each stay, oldest first."""
    found = workflow.time_in_states(records.db, "deal", deal.id)
    return [(names.stage_name(int(s.state)) if s.state.isdigit() else s.state, s.entered_at, s.left_at, s.seconds)
            for s in found]


def totals_by_stage(rows: list[tuple[str, Any, Any, int]]) -> list[tuple[str, int]]:
    totals: dict[str, int] = {}
    for name, _entered, _left, seconds in rows:
        totals[name] = totals.get(name, 0) + seconds
    return list(totals.items())


def panels(entity: Any, deal: Any, user: Any) -> list[Panel]:
    records = Records(entity, user)
    can_edit = records.can("edit") and not deal.is_archived
    lines = deals.line_items(records.db, deal.id)
    history = stays(records, deal)
    return [
        Panel(_l("Stage"), "pipelines/panel_stage.html", {**stage_context(records, deal), "can_edit": can_edit}, order=5),
        Panel(_l("Line items"), "pipelines/panel_lines.html", {
            "deal": deal, "lines": [(line, money.of_line(line)) for line in lines],
            "totals": money.totals(lines) if lines else None, "can_edit": can_edit}, order=10),
        Panel(_l("People"), "pipelines/panel_people.html", {
            "deal": deal, "people": parts.people_of(records, deal), "role_labels": parts.ROLE_LABELS, "roles": PERSON_ROLES,
            "field": deal_views.person_field() if can_edit else None, "can_edit": can_edit}, order=15),
        Panel(_l("Time in each stage"), "pipelines/panel_time.html", {
            "stays": history, "totals": totals_by_stage(history)}, order=40),
    ]


def actions(entity: Any, deal: Any, user: Any) -> list[Action]:
    """Close as won or lost while the deal is open; reopen once it is closed."""
    records = Records(entity, user)
    if not records.can("edit") or deal.is_archived:
        return []
    if closing.is_closed(deal):
        return [Action(_l("Reopen"), url_for("pipelines_deal.reopen", deal_id=deal.id), order=20)]
    return [
        Action(_l("Close as won"), url_for("pipelines_deal.won", deal_id=deal.id), order=20),
        Action(_l("Close as lost"), url_for("pipelines_deal.lost", deal_id=deal.id), order=21),
    ]
