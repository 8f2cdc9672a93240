"""What the leads reports share: how shares and amounts are shown, and the main report's figures
as hand-written SQL (``Report.raw_sql``), which the benchmarks time the report beside and a test
holds the report's figures to."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import current_app

from crmkit.core.pipelines import names
from crmkit.core.pipelines.models import CURRENCIES
from crmkit.reports.context import Context

COUNTS = ("SELECT l.channel, count(*), count(CASE WHEN l.status = 'converted' THEN 1 END) FROM leads_lead l "
          "WHERE l.archived_at IS NULL {period} {mine} GROUP BY l.channel ORDER BY count(*) DESC LIMIT 500")
REVENUE = ("SELECT o.channel, count(*), sum(d.won_amount) FROM lead_triage_deal_origin o "
           "JOIN pipelines_deal d ON d.id = o.deal_id JOIN leads_lead l ON l.id = o.lead_id "
           "WHERE l.archived_at IS NULL {period} {mine} AND d.archived_at IS NULL AND d.stage_id IN ({won}) "
           "AND d.currency = :currency GROUP BY o.channel")


def percent(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def currency_of(ctx: Context) -> str:
    """The currency revenue is counted in: the bar's choice, else the deployment's default."""
    chosen = ctx.values.get("currency")
    return chosen if chosen in CURRENCIES else current_app.config.get("DEFAULT_CURRENCY") or "KZT"


def owners_sql(ctx: Context, alias: str, entity: str) -> str:
    found = []
    for owners in (ctx.access.owner_ids(ctx.access.level(entity)), ctx.owners()):
        if owners is not None:
            found.append(f"AND {alias}.owner_id IN ({', '.join(str(int(i)) for i in sorted(owners)) or 'NULL'})")
    return " ".join(found)


def leads_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    """The leads report's default view (by channel, no filters) for ``ctx``: the counts per channel,
    then the won deals and their revenue per channel."""
    period = " ".join(part for part, bound in (("AND l.received_at >= :start", ctx.start), ("AND l.received_at < :end", ctx.end))
                      if bound)
    won = ", ".join(str(int(s.id)) for s in names.stages().values() if s.kind == "won") or "NULL"
    params = {"start": ctx.start, "end": ctx.end, "currency": currency_of(ctx)}
    lead_scope = owners_sql(ctx, "l", "lead")
    return [(COUNTS.format(period=period, mine=lead_scope), params),
            (REVENUE.format(period=period, mine=f"{lead_scope} {owners_sql(ctx, 'd', 'deal')}", won=won), params)]
