"""What the call card shows of a caller for an agency: the objects they asked about, through the
inventory links of their calls and leads (``caller_lookup``)."""

from __future__ import annotations

from sqlalchemy import column, func, or_, select, table

from crmkit import api
from crmkit_real_estate.models import Property
from crmkit_real_estate.objects import describe

messages = api.Messages(__name__)
SHOWN = 5
LEAD_COLUMN = {"person": "person_id", "organization": "organization_id"}


def link_table():
    """The core's ``inventory_link`` (docs/inventory.md), read here in one grouped query."""
    return table("inventory_link", column("subject_entity"), column("subject_id"), column("item_entity"),
                 column("item_id"), column("created_at"))


def asked_about(entity, record, user) -> dict | None:
    """The newest objects the caller's calls and leads are about, those the user sees; None if none."""
    if entity.key not in LEAD_COLUMN or not api.can(user, "real_estate.property.view"):
        return None
    activity, lead = api.entity("activity").model, api.entity("lead").model
    links = link_table()
    calls = select(activity.id).where(activity.about_entity == entity.key, activity.about_id == record.id)
    leads = select(lead.id).where(getattr(lead, LEAD_COLUMN[entity.key]) == record.id)
    newest = (select(links.c.item_id, func.max(links.c.created_at).label("at"))
              .where(links.c.item_entity == "real_estate.property",
                     or_((links.c.subject_entity == "activity") & links.c.subject_id.in_(calls),
                         (links.c.subject_entity == "lead") & links.c.subject_id.in_(leads)))
              .group_by(links.c.item_id).order_by(func.max(links.c.created_at).desc()).limit(SHOWN * 4)).subquery()
    records = api.Records("real_estate.property", user)
    statement = (records.select(include_archived=True).join(newest, newest.c.item_id == Property.id)
                 .order_by(newest.c.at.desc()).limit(SHOWN))
    found = list(api.session().execute(statement).scalars())
    if not found:
        return None
    return {messages.gettext("Objects asked about"): [{"number": p.number, "object": describe(p)} for p in found]}
