"""What triage adds to record pages and My day: on a lead's page its duplicate hints and the
buttons to accept, link, convert or review it; on a deal's page the lead it came from with that
lead's channel, source and UTM tags; in My day the leads quality control returned to the agent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import url_for
from sqlalchemy import select

from crmkit import Action, Panel
from crmkit import db as database
from crmkit.core.lead_triage import control, hints
from crmkit.core.lead_triage.convert import CONVERTIBLE
from crmkit.core.lead_triage.models import DealOrigin, Review
from crmkit.core.lead_triage.triage import PERMISSION as TRIAGE
from crmkit.core.leads.channels import channel_label
from crmkit.core.leads.models import Lead
from crmkit.core.leads.sources import source_name
from crmkit.core.leads.workflow import OPEN
from crmkit.core.records import links
from crmkit.db import utcnow
from crmkit.entities.service import Records
from crmkit.i18n import lazy_gettext as _l

RETURNED_DAYS = 14  # how long My day lists a lead quality control returned
SHOWN = 20


def lead_actions(entity: Any, lead: Any, user: Any) -> list[Action]:
    records = Records(entity, user)
    if lead.is_archived or not records.can("edit"):
        return []
    found = []
    if lead.status == "new" and records.access.can(TRIAGE):
        found += [Action(_l("Accept"), url_for("lead_triage.accept", lead_id=lead.id), method="post", order=10),
                  Action(_l("Link to a deal"), url_for("lead_triage.link", lead_id=lead.id,
                                                       next=url_for("records.lead_detail", record_id=lead.id)), order=12)]
    if lead.status in CONVERTIBLE:
        found.append(Action(_l("Convert"), url_for("lead_triage_convert.convert_lead", lead_id=lead.id), order=11))
    if lead.status == "reprocessing" and records.access.can(control.PERMISSION):
        found.append(Action(_l("Quality control"), url_for("lead_triage_control.queue", _anchor=f"lead-{lead.id}"), order=13))
    return found


def lead_panels(lead: Any, user: Any) -> list[Panel]:
    if lead.status not in OPEN:
        return []
    found = hints.for_leads(user, database.session(), [lead])[lead.id]
    return [Panel(_l("Possible duplicates"), "lead_triage/panel_hints.html", {"hints": found}, order=8)]


def deal_panels(deal: Any, user: Any) -> list[Panel]:
    origin = database.session().get(DealOrigin, deal.id)
    if origin is None:
        return []
    lead_title = links.titles("lead", {origin.lead_id}).get(origin.lead_id)
    rows = [(_l("Channel"), channel_label(origin.channel))]
    if origin.source_id is not None:
        rows.append((_l("Source"), source_name(origin.source_id)))
    rows += [(name, getattr(origin, name)) for name in ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "referrer")
             if getattr(origin, name)]
    return [Panel(_l("From a lead"), "lead_triage/panel_origin.html",
                  {"origin": origin, "lead_title": lead_title, "rows": rows}, order=30)]


def returned_to(user: Any, limit: int = SHOWN) -> list[tuple[Any, Review]]:
    """The user's open leads quality control returned in the last days, newest decision first."""
    session = database.session()
    since = utcnow() - timedelta(days=RETURNED_DAYS)
    statement = (select(Lead, Review).join(Review, Review.lead_id == Lead.id)
                 .where(Lead.owner_id == user.id, Lead.status.in_(control.STALE_STATES), Lead.archived_at.is_(None),
                        Review.outcome == "returned", Review.decided_at >= since)
                 .order_by(Review.decided_at.desc()).limit(limit))
    return [(lead, review) for lead, review in session.execute(statement)]


def myday_panels(user: Any) -> list[Panel]:
    if not getattr(user, "is_authenticated", False):
        return []
    found = returned_to(user)
    if not found:
        return []
    return [Panel(_l("Leads returned by quality control"), "lead_triage/myday_returned.html", {"returned": found}, order=12)]
