"""Deals on the timelines of their organisation and their people (``timeline_entries``): an entry
when a deal was opened and one when it was closed, won or lost. Each is read through an index
newest first with the timeline's limit, and only deals the user sees are shown."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import Deal, DealPerson
from crmkit.core.timeline import Cursor, TimelineEntry
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import money

OPENED, CLOSED = "pipelines.opened", "pipelines.closed"


def deal_records(user: Any) -> Records | None:
    """Records of deals for ``user``, or None when they may see none (My day's panels use it too)."""
    entities = current_app.extensions["crmkit"].entities
    records = Records(entities.get("deal"), user) if "deal" in entities else None
    return records if records is not None and records.can("view") else None


def about(entity: Any, record: Any):
    """The condition naming the deals of ``record`` (an organisation, or a person in any role)."""
    if entity.key == "organization":
        return Deal.organization_id == record.id
    if entity.key == "person":
        return Deal.id.in_(select(DealPerson.deal_id).where(DealPerson.person_id == record.id))
    return None


def entries(entity: Any, record: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    condition = about(entity, record)
    records = deal_records(user) if condition is not None else None
    if records is None:
        return []
    found = []
    for source, at_column in ((OPENED, Deal.created_at), (CLOSED, Deal.closed_at)):
        statement = records.select(include_archived=True).where(condition, at_column.is_not(None))
        if before is not None:
            statement = statement.where(before.condition(at_column, Deal.id, source))
        statement = statement.order_by(at_column.desc(), Deal.id.desc()).limit(limit)
        found += [entry(deal, source) for deal in records.db.execute(statement).scalars()]
    return found


def entry(deal: Deal, source: str) -> TimelineEntry:
    stage = names.stages().get(deal.stage_id)
    amount = deal.won_amount if deal.won_amount is not None else deal.amount
    details = [(_("Stage"), names.stage_name(deal.stage_id))]
    if amount is not None:
        details.append((_("Amount"), money(amount, deal.currency)))
    if source == OPENED:
        title, label, at = _("Deal opened: %(title)s", title=deal.title), _("Deal"), deal.created_at
    elif stage is not None and stage.kind == "won":
        title, label, at = _("Deal won: %(title)s", title=deal.title), _("Won"), deal.closed_at
    else:
        title, label, at = _("Deal lost: %(title)s", title=deal.title), _("Lost"), deal.closed_at
        if deal.loss_reason_id:
            details.append((_("Loss reason"), names.loss_reason_name(deal.loss_reason_id)))
    return TimelineEntry(at=at, kind=source, title=title, source=source, source_id=deal.id, label=label,
                         url=url_for("records.deal_detail", record_id=deal.id), details=tuple(details), item=deal)
