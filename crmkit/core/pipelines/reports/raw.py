"""The funnel's figures as hand-written SQL (``Report.raw_sql``): what the benchmarks time the
report beside, and what a test holds the report's figures to. Two statements over the kept stays
(``pipelines_funnel_stay``), as the report runs: per stage the entries and the time in stage,
then the closings; side by side, per group the entries and the closings."""

from __future__ import annotations

from typing import Any

from crmkit.core.pipelines.reports import common, funnel_data
from crmkit.reports.context import Context


def entries(joined: str = "") -> str:
    """The kept stays a statement reads (``{stages}``, ``{period}`` and ``{mine}`` to format), with
    the joins a group's key needs."""
    return (f"FROM pipelines_funnel_stay t {joined}{' ' if joined else ''}WHERE t.pipeline_id = :pipeline "
            "AND t.stage_id IN ({stages}) {period} {mine}")


def seconds(dialect: str, start: str, end: str) -> str:
    if dialect == "postgresql":
        return f"CAST(round(extract(epoch FROM {end} - {start})) AS INTEGER)"
    return f"CAST(round((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


def quoted(ids) -> str:
    return ", ".join(str(int(i)) for i in ids) or "NULL"


def scope(ctx: Context) -> str:
    """The reader's visibility, the bar's owners and source, written out."""
    found = []
    for owners in (ctx.access.owner_ids(ctx.access.level("deal")), ctx.owners()):
        if owners is not None:
            found.append(f"AND t.owner_id IN ({', '.join(str(int(i)) for i in sorted(owners)) or 'NULL'})")
    if ctx.values.get("source"):
        found.append("AND t.source = :source")
    return " ".join(found)


def stage_sql(dialect: str, stages, period: str, mine: str) -> str:
    opens = quoted(s.id for s in stages if s.kind == "open")
    stay = f"coalesce(t.seconds, {seconds(dialect, 't.at', ':now')})"
    stays = (f"WITH s AS (SELECT t.deal_id AS record_id, t.stage_id AS stage, CASE WHEN t.stage_id IN ({opens}) "
             f"THEN {stay} END AS seconds " + entries().format(stages=quoted(s.id for s in stages), period=period, mine=mine) + ") ")
    if dialect == "postgresql":
        return (f"{stays}SELECT stage, count(DISTINCT record_id), avg(seconds), "
                "percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FROM s GROUP BY stage")
    # the median from the open stages' stays alone, the middle one or two of each stage's ordered lengths
    timed = f"SELECT t.stage_id AS stage, {stay} AS seconds " + entries().format(stages=opens, period=period, mine=mine)
    ranked = (f"SELECT o.*, row_number() OVER (PARTITION BY stage ORDER BY seconds) AS rank, count(*) OVER (PARTITION BY "
              f"stage ORDER BY seconds ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS counted FROM ({timed}) o")
    middle = (f"SELECT stage, avg(seconds) AS median FROM ({ranked}) r WHERE rank IN ((counted + 1) / 2, (counted + 2) / 2) "
              "GROUP BY stage")
    return (f"{stays}SELECT c.stage, c.entered, c.average, m.median FROM (SELECT stage, count(DISTINCT record_id) AS entered, "
            f"avg(seconds) AS average FROM s GROUP BY stage) c LEFT JOIN ({middle}) m ON m.stage = c.stage")


def closing_sql(dialect: str, stages, period: str, mine: str, group: tuple[str, str] | None = None) -> str:
    """The closings; ``group``: (the key's expression, the joins it needs), one row per key."""
    key, joined = group or ("", "")
    keyed = f"{key} AS key, " if key else ""
    won, lost = quoted(s.id for s in stages if s.kind == "won"), quoted(s.id for s in stages if s.kind == "lost")
    per_deal = (f"SELECT {keyed}t.deal_id, t.created_at, t.won_amount, t.currency, max(CASE WHEN t.stage_id IN ({won}) "
                f"THEN t.at END) AS won_at, max(CASE WHEN t.stage_id IN ({lost}) THEN 1 END) AS lost "
                + entries(joined).format(stages=f"{won}, {lost}", period=period, mine=mine)
                + f" GROUP BY {key + ', ' if key else ''}t.deal_id, t.created_at, t.won_amount, t.currency")
    amount = "CASE WHEN c.won_at IS NOT NULL AND c.currency = :currency THEN c.won_amount END"
    return (f"SELECT {'c.key, ' if key else ''}count(c.won_at), count(c.lost), sum({amount}), count({amount}), "
            f"avg(CASE WHEN c.won_at IS NOT NULL THEN {seconds(dialect, 'c.created_at', 'c.won_at')} END) FROM ({per_deal}) c"
            + (" GROUP BY c.key" if key else ""))


def bound(ctx: Context, pipeline) -> tuple[str, dict[str, Any]]:
    """The period's conditions and every parameter the statements bind."""
    period = " ".join(part for part, limit in (("AND t.at >= :start", ctx.start), ("AND t.at < :end", ctx.end)) if limit)
    return period, {"start": ctx.start, "end": ctx.end, "now": ctx.now, "pipeline": pipeline.id,
                    "currency": common.currency_of(ctx, pipeline), "source": ctx.values.get("source")}


def funnel_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    """The funnel report's default figures (no side by side) for ``ctx``."""
    pipeline = common.pipeline_of(ctx)
    if pipeline is None:
        return []
    stages = funnel_data.stage_refs(ctx.db, pipeline.id)
    period, params = bound(ctx, pipeline)
    mine = scope(ctx)
    return [(stage_sql(ctx.dialect, stages, period, mine), params), (closing_sql(ctx.dialect, stages, period, mine), params)]


GROUPS = {"owner": ("t.owner_id", ""),
          "department": ("u.department_id", "LEFT JOIN core_user u ON u.id = t.owner_id"),
          "office": ("d.office_id", "LEFT JOIN core_user u ON u.id = t.owner_id LEFT JOIN core_department d ON d.id = u.department_id")}


def funnel_by_sql(ctx: Context) -> list[tuple[str, dict[str, Any]]]:
    """The side by side funnel's figures (``by``: employee, department or office): per group and
    stage the deals that entered it, per group the deals won and lost and the won amounts and cycle."""
    pipeline = common.pipeline_of(ctx)
    if pipeline is None:
        return []
    stages = funnel_data.stage_refs(ctx.db, pipeline.id)
    group = GROUPS[common.dimension_of(ctx)]
    key, joined = group
    period, params = bound(ctx, pipeline)
    mine = scope(ctx)
    entered = (f"SELECT {key}, t.stage_id, count(DISTINCT t.deal_id) "
               + entries(joined).format(stages=quoted(s.id for s in stages), period=period, mine=mine) + f" GROUP BY {key}, t.stage_id")
    return [(entered, params), (closing_sql(ctx.dialect, stages, period, mine, group), params)]
