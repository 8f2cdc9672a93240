"""The sales funnel's page over the deals of benchmarks/deals.py (one per contact, their creations
and closings in core_transition), beside hand-written SQL of the same figures: per stage the deals
entering it, the average and median time in it; the deals won and lost, the won amounts and cycle.

Cases: last month's funnel as an admin and as an agent, side by side by department, and the open
deals as of the end of last month (rebuilt from the moves).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import text

from benchmarks import core, deals, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.entities.transitions import Transition
from crmkit.reports.context import Context

FUNNEL_TARGET_MS = 200.0
FUNNEL_RATIO = 2.0
ENTRIES = ("FROM core_transition t JOIN pipelines_deal d ON d.id = t.record_id WHERE t.entity = 'deal' "
           "AND t.to_state IN ({stages}) AND t.at >= :start AND t.at < :end AND d.archived_at IS NULL "
           "AND d.pipeline_id = :pipeline {mine}")
LEFT_AT = ("(SELECT min(l.at) FROM core_transition l WHERE l.entity = 'deal' AND l.record_id = t.record_id "
           "AND l.at >= t.at AND (l.at > t.at OR l.id > t.id))")


def seconds(engine: str, start: str, end: str) -> str:
    if engine == "postgresql":
        return f"CAST(round(extract(epoch FROM {end} - {start})) AS INTEGER)"
    return f"CAST(round((julianday({end}) - julianday({start})) * 86400) AS INTEGER)"


def stage_sql(engine: str, found: deals.DealSet, mine: str) -> str:
    every = ", ".join(f"'{s}'" for s in found.stages.values())
    opens = ", ".join(f"'{s}'" for s in found.open_stage_ids)
    stay = seconds(engine, "t.at", f"coalesce({LEFT_AT}, :now)")
    stays = (f"SELECT t.record_id, t.to_state AS stage, CASE WHEN t.to_state IN ({opens}) THEN {stay} END AS seconds "
             + ENTRIES.format(stages=every, mine=mine))
    stays = f"WITH s AS MATERIALIZED ({stays}) "
    if engine == "postgresql":
        return (f"{stays}SELECT stage, count(DISTINCT record_id), avg(seconds), percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) "
                "FROM s GROUP BY stage")
    ranked = ("SELECT s.*, row_number() OVER (PARTITION BY stage ORDER BY seconds) AS rank, "
              "count(seconds) OVER (PARTITION BY stage) AS counted FROM s")
    return (f"{stays}SELECT stage, count(DISTINCT record_id), avg(seconds), avg(CASE WHEN rank IN ((counted + 1) / 2, (counted + 2) / 2) "
            f"AND seconds IS NOT NULL THEN seconds END) FROM ({ranked}) r GROUP BY stage")


def closing_sql(engine: str, found: deals.DealSet, mine: str) -> str:
    won, lost = f"'{found.stages['Won']}'", f"'{found.stages['Lost']}'"
    per_deal = (f"SELECT t.record_id, d.created_at, d.won_amount, d.currency, max(CASE WHEN t.to_state = {won} THEN t.at END) AS won_at, "
                f"max(CASE WHEN t.to_state = {lost} THEN 1 END) AS lost "
                + ENTRIES.format(stages=f"{won}, {lost}", mine=mine) + " GROUP BY t.record_id, d.created_at, d.won_amount, d.currency")
    amount = "CASE WHEN c.won_at IS NOT NULL AND c.currency = 'KZT' THEN c.won_amount END"
    return (f"SELECT count(c.won_at), count(c.lost), sum({amount}), avg({amount}), "
            f"avg(CASE WHEN c.won_at IS NOT NULL THEN {seconds(engine, 'c.created_at', 'c.won_at')} END) FROM ({per_deal}) c")


def bounds(ctx, email: str, args: dict[str, str]) -> dict[str, object]:
    """The period's moments as the page reads them (the user's zone), bound as the driver stores them."""
    with ctx.app.test_request_context():
        session = db.session()
        user = session.query(User).filter_by(email=email).one()
        report = current_app.extensions["crmkit.reports"].get("funnel")
        run = Context.build(report, user, args, session)
    dialect = db.engine_of(ctx.app).dialect
    process = Transition.__table__.c.at.type.bind_processor(dialect) or (lambda value: value)
    return {"start": process(run.start), "end": process(run.end), "now": process(run.now)}


def vacuumed(ctx) -> None:
    """What autovacuum does after a bulk load on PostgreSQL: the visibility map that lets the
    funnel read core_transition's index alone."""
    if ctx.engine == "postgresql":
        with db.engine_of(ctx.app).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE core_transition"))


@core.measurement("funnel", order=66)
def funnel(ctx):
    found = deals.grow(ctx.app, ctx.data, ctx.size)
    if "crmkit.reports" not in ctx.app.extensions:
        yield core.unavailable("funnel", "sales funnel, last month", ctx, "no reports in this build", "")
        return
    vacuumed(ctx)
    target = f"p50 < {FUNNEL_TARGET_MS:g} ms; <= {FUNNEL_RATIO:g}x raw SQL"
    label = "hand-written SQL of the same figures"
    args = {"pipeline": str(found.pipeline_id), "period": "last_month"}
    query = "&".join(f"{k}={v}" for k, v in args.items())
    owner = ctx.data.owner_ids[0]
    cases = (("sales funnel, last month (admin)", "/reports/funnel/", None, "", {}),
             ("sales funnel, last month, as an agent (own deals)", "/reports/funnel/", ctx.agent_email, "AND d.owner_id = :owner",
              {"owner": owner}),
             ("sales funnel side by side by department, last month (admin)", "/reports/funnel_by/", None, "", {}))
    for case, path, email, mine, extra in cases:
        params = {**bounds(ctx, email or world.ADMIN_EMAIL, args), "pipeline": found.pipeline_id, **extra}
        sql = [(stage_sql(ctx.engine, found, mine), params), (closing_sql(ctx.engine, found, mine), params)]
        if "by department" in case:
            sql = sql * 2  # the totals row and the groups: each statement twice
            query_by = f"{query}&by=department"
        else:
            query_by = query
        client = ctx.client(email) if email else None
        row = with_baseline(ctx, "funnel", case, [f"{path}?{query_by}"], [sql], label, client=client, target=target)
        row.met = row.figures["p50_ms"] < FUNNEL_TARGET_MS and row.figures.get("x_baseline_p50", 0) <= FUNNEL_RATIO
        yield row
    yield judged(with_baseline(ctx, "funnel", "open deals as of the end of last month (admin)",
                               [f"/reports/funnel_as_of/?pipeline={found.pipeline_id}&on={last_day(ctx)}"], [], "",
                               target=f"p50 < {FUNNEL_TARGET_MS:g} ms"), "p50_ms", FUNNEL_TARGET_MS)


def last_day(ctx) -> str:
    return (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).isoformat()
