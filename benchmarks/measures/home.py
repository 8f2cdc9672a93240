"""The home page's figures of the week (crmkit/core/home/figures.py) at each size: the home page as
an admin and as an agent, and the figures alone beside the raw SQL they stand for (the week's hourly
activity counts per owner, the clients added this week per owner).

The benchmark's activities are inserted without their hourly counts, so the counts are rebuilt
once per size first (``rollup.rebuild``, what ``crmkit activities recount`` does).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_login import login_user
from sqlalchemy import select

from benchmarks import core, world
from benchmarks.measures.pages import judged, with_baseline
from benchmarks.measures.reports import bound
from crmkit import db
from crmkit.core.activities import rollup
from crmkit.core.auth.models import User
from crmkit.core.home import figures

TARGET_MS = 100.0
FIGURES_TARGET_MS = 20.0  # the widget's share of the page
AGENT = "agent1@example.com"


def week_start() -> datetime:
    """Monday 00:00 on Almaty's clock (UTC+5), the users' zone in the benchmark, as UTC."""
    now = datetime.now(UTC) + timedelta(hours=5)
    monday = (now - timedelta(days=now.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return monday - timedelta(hours=5)


def raw_sql(ctx, owner: int | None) -> list[tuple[str, dict]]:
    start = week_start()
    end = start + timedelta(days=7)
    mine = " AND owner_id = :owner" if owner else ""
    hours = {"low": int(start.timestamp()) // rollup.SECONDS, "high": int(end.timestamp()) // rollup.SECONDS}
    moments = bound(ctx, {"start": start, "end": end})
    clients = ("SELECT owner_id, count(*) FROM {table} WHERE archived_at IS NULL AND created_at >= :start "
               "AND created_at < :end AND is_client = :yes{mine} GROUP BY owner_id")
    return [
        ("SELECT owner_id, kind, sum(total), sum(answered), sum(missed) FROM activities_hourly WHERE kind IN "
         f"('call', 'meeting', 'email', 'task') AND hour >= :low AND hour < :high{mine} GROUP BY owner_id, kind",
         {**hours, "owner": owner}),
        *[(clients.format(table=table, mine=mine), {**moments, "yes": True, "owner": owner})
          for table in ("contacts_organization", "contacts_person")],
    ]


def figures_as(ctx, email: str, team: bool) -> dict:
    def once(_):
        with ctx.app.test_request_context():
            session = db.session()
            user = session.execute(select(User).where(User.email == email)).scalar_one()
            login_user(user)
            figures.week(user, team)

    return core.latency(core.sample(once, [None] * ctx.settings.samples, ctx.settings.rounds))


@core.measurement("home figures", order=69)
def home_figures(ctx):
    with ctx.app.app_context():
        session = db.session()
        rollup.rebuild(session)
        session.commit()
        agent = session.execute(select(User.id).where(User.email == AGENT)).scalar_one()
    target = f"p50 < {TARGET_MS:g} ms"
    for who, email, owner in (("admin", world.ADMIN_EMAIL, None), ("agent", AGENT, agent)):
        sql = raw_sql(ctx, owner)
        row = with_baseline(ctx, "home figures", f"home page with this week's figures ({who})", ["/"], [sql],
                            "raw SQL: the week's counts per owner", client=ctx.client(email), target=target)
        yield judged(row, "p50_ms", TARGET_MS)
        computed = figures_as(ctx, email, team=who == "admin")
        raw = core.latency(ctx.sql_times([sql] * ctx.settings.samples))
        computed["x_baseline_p50"] = round(computed["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
        alone = ctx.row("home figures", f"this week's figures alone ({who})", computed, baseline_label="raw SQL",
                        baseline=raw, target=f"p50 < {FIGURES_TARGET_MS:g} ms")
        yield judged(alone, "p50_ms", FIGURES_TARGET_MS)
