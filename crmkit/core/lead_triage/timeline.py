"""The lead's and the deal's timelines point at each other: a lead converted into (or linked to) a
deal shows "Converted into deal ..." on its timeline, and the deal shows "From lead ..." with the
lead's channel and source; quality-control rounds show on the lead's timeline with their outcome.
Each is one indexed query with the timeline's limit, and only records the user sees are named."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for
from sqlalchemy import select

from crmkit import db

from crmkit.core.lead_triage.models import Conversion, Review
from crmkit.core.leads.channels import channel_label
from crmkit.core.leads.models import REPROCESS_REASONS, Lead
from crmkit.core.leads.sources import source_name
from crmkit.core.timeline import Cursor, TimelineEntry
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

CONVERTED, ORIGIN, REVIEW = "lead_triage.converted", "lead_triage.origin", "lead_triage.review"
OUTCOME_LABELS = {"returned": _l("Returned to work"), "confirmed": _l("Rejection confirmed")}


def visible(user: Any, key: str, ids: set[int]) -> dict[int, str]:
    """Titles of the records of ``key`` among ``ids`` that the user sees."""
    entities = current_app.extensions["crmkit"].entities
    if not ids or key not in entities:
        return {}
    records = Records(entities.get(key), user)
    if not records.can("view"):
        return {}
    title = getattr(records.model, records.entity.title_field)
    statement = records.select(include_archived=True).with_only_columns(records.model.id, title).where(records.model.id.in_(ids))
    return {record_id: str(name or f"#{record_id}") for record_id, name in records.db.execute(statement)}


def page(statement, at_column, id_column, source: str, before: Cursor | None, limit: int):
    if before is not None:
        statement = statement.where(before.condition(at_column, id_column, source))
    return statement.order_by(at_column.desc(), id_column.desc()).limit(limit)


def entries(entity: Any, record: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    session = db.session()
    if entity.key == "lead":
        return lead_entries(session, record, user, before, limit)
    if entity.key == "deal":
        return deal_entries(session, record, user, before, limit)
    return []


def lead_entries(session, lead: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    statement = page(select(Conversion).where(Conversion.lead_id == lead.id), Conversion.at, Conversion.id,
                     CONVERTED, before, limit)
    conversions = list(session.execute(statement).scalars())
    deals = visible(user, "deal", {c.deal_id for c in conversions})
    found = []
    for conversion in conversions:
        title = deals.get(conversion.deal_id, f"#{conversion.deal_id}")
        heading = (_("Converted into the deal %(title)s", title=title) if conversion.created
                   else _("Linked to the deal %(title)s", title=title))
        url = url_for("records.deal_detail", record_id=conversion.deal_id) if conversion.deal_id in deals else None
        found.append(TimelineEntry(at=conversion.at, kind="lead_converted", title=heading, source=CONVERTED,
                                   source_id=conversion.id, url=url, label=_("Converted"), item=conversion))
    statement = page(select(Review).where(Review.lead_id == lead.id), Review.queued_at, Review.id, REVIEW, before, limit)
    for review in session.execute(statement).scalars():
        details = []
        if review.note:
            details.append((_("Note"), review.note))
        if review.outcome:
            details.append((_("Decision"), OUTCOME_LABELS.get(review.outcome, review.outcome)))
        if review.comment:
            details.append((_("Controller's comment"), review.comment))
        found.append(TimelineEntry(at=review.queued_at, kind="lead_review", source=REVIEW, source_id=review.id,
                                   title=_("Sent to quality control: %(reason)s", reason=REPROCESS_REASONS.get(review.reason, review.reason)),
                                   label=_("Quality control"), details=tuple(details), item=review))
    return found


def deal_entries(session, deal: Any, user: Any, before: Cursor | None, limit: int) -> list[TimelineEntry]:
    statement = page(select(Conversion, Lead.name, Lead.channel, Lead.source_id).join(Lead, Lead.id == Conversion.lead_id)
                     .where(Conversion.deal_id == deal.id), Conversion.at, Conversion.id, ORIGIN, before, limit)
    rows = session.execute(statement).all()
    leads = visible(user, "lead", {row[0].lead_id for row in rows})
    found = []
    for conversion, _name, channel, source_id in rows:
        title = leads.get(conversion.lead_id, f"#{conversion.lead_id}")
        details = [(_("Channel"), channel_label(channel))]
        if source_id is not None:
            details.append((_("Source"), source_name(source_id)))
        url = url_for("records.lead_detail", record_id=conversion.lead_id) if conversion.lead_id in leads else None
        found.append(TimelineEntry(at=conversion.at, kind="lead_origin", source=ORIGIN, source_id=conversion.id,
                                   title=_("From the lead %(title)s", title=title),
                                   url=url, label=_("Lead"), details=tuple(details), item=conversion))
    return found
