"""An object's statistics on its page: calls, showings, leads, offers and deals about it, days on
market and its price changes, from a handful of grouped, indexed queries (counts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import url_for
from sqlalchemy import select

from crmkit import api
from crmkit_real_estate import counts
from crmkit_real_estate.models import PriceChange

messages = api.Messages(__name__)
_l = messages.lazy_gettext

PROPERTY = counts.PROPERTY
LAST_CHANGES = 5
REPORT = "real_estate.objects"


def aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def days_on_market(record, now: datetime | None = None) -> int | None:
    """Whole days from going on the market to closing (sold, rented, withdrawn), or to now."""
    start = aware(record.published_at or record.created_at)
    if start is None:
        return None
    end = aware(record.closed_at) or now or datetime.now(UTC)
    return max((end - start).days, 0)


def price_history(property_id: int, limit: int = LAST_CHANGES) -> list[PriceChange]:
    """The latest price changes, newest first (the property index walks them)."""
    statement = (select(PriceChange).where(PriceChange.property_id == property_id)
                 .order_by(PriceChange.changed_at.desc(), PriceChange.id.desc()).limit(limit))
    return list(api.session().execute(statement).scalars())


def summary(record) -> dict:
    """What the panel and the page's figures show for one object."""
    figures = counts.figures([record.id])[record.id]
    return {**figures, "days_on_market": days_on_market(record)}


def panels(entity, record, user) -> list:
    if entity.key != PROPERTY:
        return []
    context = {"figures": summary(record), "history": price_history(record.id), "report": report_url(record)}
    return [api.Panel(_l("Statistics"), "real_estate/statistics_panel.html", context, order=20)]


def report_url(record) -> str:
    """The statistics report, every object of this one's kind and deal type, this one's price band."""
    return url_for("reports.page", key=REPORT, view="objects", deal_type=record.deal_type, kind=record.kind, period="all")
