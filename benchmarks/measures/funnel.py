"""The sales funnel's page over the deals of benchmarks/deals.py (one per contact, their creations
and closings in core_transition), beside the report's hand-written SQL of the same figures
(crmkit/core/pipelines/reports/raw.py): per stage the deals entering it, the average and median
time in it; the deals won and lost, the won amounts and cycle.

Cases: last month's funnel as an admin and as an agent, side by side by department, and the open
deals as of the end of last month (rebuilt from the moves).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import DateTime, text

from benchmarks import core, deals, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.reports.context import Context

FUNNEL_TARGET_MS = 200.0
FUNNEL_RATIO = 2.0
RATIO_FROM = 1_000_000  # deals: where the ratio to the raw SQL is judged


def raw_statements(ctx, email: str, args: dict[str, str], name: str = "funnel", sql=None) -> list[tuple[str, dict]]:
    """The report ``name``'s hand-written SQL (crmkit/core/pipelines/reports/raw.py; ``sql`` another
    such function) for ``email``'s view, moments bound as the driver stores them."""
    with ctx.app.test_request_context():
        session = db.session()
        user = session.query(User).filter_by(email=email).one()
        report = current_app.extensions["crmkit.reports"].get(name)
        found = (sql or report.raw_sql)(Context.build(report, user, args, session))
    process = DateTime(timezone=True).bind_processor(db.engine_of(ctx.app).dialect) or (lambda value: value)
    return [(sql, {k: process(v) if isinstance(v, datetime) else v for k, v in params.items()}) for sql, params in found]


def vacuumed(ctx) -> None:
    """What autovacuum does after a bulk load on PostgreSQL: the visibility map that lets the
    funnel read the kept stays' index alone (and "as of a date", core_transition's)."""
    if ctx.engine == "postgresql":
        with db.engine_of(ctx.app).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("core_transition", "pipelines_funnel_stay"):
                connection.execute(text(f"VACUUM ANALYZE {table}"))


@core.measurement("funnel", order=66)
def funnel(ctx):
    found = deals.grow(ctx.app, ctx.data, ctx.size)
    if "crmkit.reports" not in ctx.app.extensions:
        yield core.unavailable("funnel", "sales funnel, last month", ctx, "no reports in this build", "")
        return
    vacuumed(ctx)
    label = "hand-written SQL of the same figures"
    args = {"pipeline": str(found.pipeline_id), "period": "last_month"}
    query = "&".join(f"{k}={v}" for k, v in args.items())
    # (case, path, reader, side by side by, whether it reads every deal)
    cases = (("sales funnel, last month (admin)", "/reports/funnel/", world.ADMIN_EMAIL, None, True),
             ("sales funnel, last month, as an agent (own deals)", "/reports/funnel/", ctx.agent_email, None, False),
             ("sales funnel side by side by department, last month (admin)", "/reports/funnel_by/", world.ADMIN_EMAIL, "department",
              True))
    for case, path, email, by, whole in cases:
        # the ratio is the funnel's over 1M deals: where the raw SQL reads fewer (below 1M, or
        # an agent's twentieth) it takes a few milliseconds and the ratio measures the page's fixed
        # cost (its template, filter bar and chart), shown but not judged
        judged_ratio = whole and ctx.size >= RATIO_FROM
        target = f"p50 < {FUNNEL_TARGET_MS:g} ms" + (f"; <= {FUNNEL_RATIO:g}x raw SQL" if judged_ratio else "")
        sql = raw_statements(ctx, email, {**args, "by": by}, "funnel_by") if by else raw_statements(ctx, email, args)
        client = ctx.client(email) if email != world.ADMIN_EMAIL else None
        query_by = f"{query}&by={by}" if by else query
        row = with_baseline(ctx, "funnel", case, [f"{path}?{query_by}"], [sql], label, client=client, target=target)
        row.met = row.figures["p50_ms"] < FUNNEL_TARGET_MS and (not judged_ratio or row.figures.get("x_baseline_p50", 0) <= FUNNEL_RATIO)
        yield row
    yield judged(with_baseline(ctx, "funnel", "open deals as of the end of last month (admin)",
                               [f"/reports/funnel_as_of/?pipeline={found.pipeline_id}&on={last_day(ctx)}"], [], "",
                               target=f"p50 < {FUNNEL_TARGET_MS:g} ms"), "p50_ms", FUNNEL_TARGET_MS)


def last_day(ctx) -> str:
    return (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).isoformat()
