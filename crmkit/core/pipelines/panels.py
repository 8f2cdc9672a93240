"""What the deal's page adds to the framework's record page (``entity_panels`` and
``entity_actions``): its stage and how it closed, its line items with the total and its people
in their roles. The time in each stage is the framework's panel of any workflow entity."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for

from crmkit import Action, Panel
from crmkit.core.pipelines import closing, deal_views, deals, money, names, parts
from crmkit.core.pipelines.models import PERSON_ROLES
from crmkit.core.records import links
from crmkit.db import utcnow
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


def panels(entity: Any, deal: Any, user: Any) -> list[Panel]:
    records = Records(entity, user)
    can_edit = records.can("edit") and not deal.is_archived
    lines = deals.line_items(records.db, deal.id)
    return [
        Panel(_l("Stage"), "pipelines/panel_stage.html", {**stage_context(records, deal), "can_edit": can_edit}, order=5),
        Panel(_l("Line items"), "pipelines/panel_lines.html", {
            "deal": deal, "lines": [(line, money.of_line(line)) for line in lines],
            "totals": money.totals(lines) if lines else None, "can_edit": can_edit}, order=10),
        Panel(_l("People"), "pipelines/panel_people.html", {
            "deal": deal, "people": parts.people_of(records, deal), "role_labels": parts.ROLE_LABELS, "roles": PERSON_ROLES,
            "field": deal_views.person_field() if can_edit else None, "can_edit": can_edit}, order=15),
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
