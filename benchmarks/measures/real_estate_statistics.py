"""Real estate statistics: an object's figures (the panel on its page), the objects report by price
band and the advertising sources report, each beside its own hand-written SQL; over as many
objects as people in the size (benchmarks/measures/real_estate_objects.py fills them), three
inventory links per object on average (calls and showings of the benchmark's activities), an
offer for every third object, a placement and a price change for every object.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import func, insert, select, text

from benchmarks import core, world
from benchmarks.measures.activity_reports import raw_times, report_times
from benchmarks.measures.real_estate_objects import fill as fill_objects
from benchmarks.measures.real_estate_objects import plugin_app
from benchmarks.measures.reports import bound, statements
from crmkit import db
from crmkit.core.auth.models import User
from crmkit.reports.context import Context

TARGET_MS = 150.0
RATIO = 2.0
BATCH = 20_000
NOW = datetime.now(UTC)
FIGURES_SQL = [
    ("SELECT l.item_id, l.subject_entity, a.kind, count(*) FROM inventory_link l "
     "LEFT JOIN activity a ON l.subject_entity = 'activity' AND a.id = l.subject_id AND a.archived_at IS NULL "
     "LEFT JOIN leads_lead r ON l.subject_entity = 'lead' AND r.id = l.subject_id AND r.archived_at IS NULL "
     "LEFT JOIN pipelines_deal d ON l.subject_entity = 'deal' AND d.id = l.subject_id AND d.archived_at IS NULL "
     "WHERE l.item_entity = 'real_estate.property' AND l.item_id IN (:id) "
     "AND (a.kind IN ('call', 'meeting') OR r.id IS NOT NULL OR d.id IS NOT NULL) "
     "GROUP BY l.item_id, l.subject_entity, a.kind", {}),
    ("SELECT property_id, count(*) FROM real_estate_offer WHERE property_id IN (:id) AND archived_at IS NULL GROUP BY property_id", {}),
    ("SELECT property_id, count(*) FROM real_estate_price_change WHERE property_id IN (:id) AND old_price IS NOT NULL "
     "GROUP BY property_id", {}),
    ("SELECT * FROM real_estate_price_change WHERE property_id = :id ORDER BY changed_at DESC, id DESC LIMIT 5", {}),
]


def source_id(session) -> int:
    from crmkit.core.leads.models import Source

    found = session.execute(select(Source.id).where(Source.key == "bench-portal")).scalar()
    if found is None:
        source = Source(key="bench-portal", names={"en": "Portal"})
        session.add(source)
        session.flush()
        found = source.id
    return found


def fill(ctx) -> int:
    """Links, offers, placements and price changes for the objects that have none yet; the newest object."""
    from crmkit_real_estate.counts import links as link_table
    from crmkit_real_estate.models import PriceChange
    from crmkit_real_estate.offers import Offer
    from crmkit_real_estate.sources import Placement

    newest = fill_objects(ctx)
    app = plugin_app(ctx)
    with app.app_context():
        session = db.session()
        done = session.execute(select(func.max(Placement.property_id))).scalar() or 0
        if done >= newest:
            return newest
        source = source_id(session)
        activities = list(session.execute(text("SELECT id FROM activity WHERE kind IN ('call', 'meeting') ORDER BY id LIMIT :n"),
                                          {"n": 3 * ctx.size}).scalars())
        rng = random.Random(41 + done)
        for start in range(done + 1, newest + 1, BATCH):
            ids = range(start, min(start + BATCH, newest + 1))
            links, offers, placements, changes = [], [], [], []
            for pid in ids:
                at = NOW - timedelta(days=rng.randint(0, 360))
                for n in range(rng.randint(0, 6)):
                    links.append({"subject_entity": "activity", "subject_id": activities[(pid * 7 + n) % len(activities)],
                                  "item_entity": "real_estate.property", "item_id": pid,
                                  "created_at": at + timedelta(days=n), "created_by_id": None})
                placements.append({"version": 1, "owner_id": ctx.data.owner_ids[pid % len(ctx.data.owner_ids)], "created_by_id": None,
                                   "created_at": at, "updated_at": at, "archived_at": None, "extra": {}, "title": f"OB-{pid}",
                                   "property_id": pid, "source_id": source, "url": None, "cost": Decimal(12000),
                                   "currency": "KZT", "started_on": at.date(), "ended_on": None})
                changes.append({"property_id": pid, "old_price": Decimal(60_000_000), "new_price": Decimal(55_000_000),
                                "currency": "KZT", "changed_at": at, "changed_by_id": None})
                if pid % 3 == 0:
                    offers.append({"version": 1, "owner_id": placements[-1]["owner_id"], "created_by_id": None, "created_at": at,
                                   "updated_at": at, "archived_at": None, "extra": {}, "title": f"OB-{pid}", "property_id": pid,
                                   "person_id": rng.randint(1, ctx.data.people), "deal_id": None, "amount": Decimal(50_000_000),
                                   "currency": "KZT", "status": "proposed", "made_on": at.date(), "note": None})
            session.execute(insert(link_table), links)
            for model, rows in ((Placement, placements), (PriceChange, changes), (Offer, offers)):
                if rows:
                    session.execute(insert(model.__table__), rows)
            session.commit()
        session.execute(text("ANALYZE" if ctx.engine == "sqlite" else "ANALYZE inventory_link"))
        session.commit()
        return newest


def figures_times(ctx, app, ids: list[int]) -> dict:
    from crmkit_real_estate import statistics
    from crmkit_real_estate.models import Property

    def once(pid):
        with app.test_request_context():
            record = db.session().get(Property, pid)
            statistics.summary(record)
            statistics.price_history(pid)

    return core.latency(core.sample(once, ids, ctx.settings.rounds))


def figures_raw(ctx, app, ids: list[int]) -> dict:
    pages = [[("SELECT * FROM real_estate_property WHERE id = :id", {"id": pid})]
             + [(sql, {"id": pid}) for sql, _p in FIGURES_SQL] for pid in ids]
    connection = db.engine_of(app).raw_connection()
    try:
        cursor = connection.cursor()

        def run(page):
            for sql, params in page:
                cursor.execute(*ctx.dbapi(sql, params))
                cursor.fetchall()

        return core.latency(core.sample(run, pages, ctx.settings.rounds))
    finally:
        connection.close()


def report_raw(ctx, app, key: str) -> list[tuple[str, dict]]:
    report = app.extensions["crmkit.reports"].get(key)
    with app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == world.ADMIN_EMAIL)).scalar_one()
        run = Context.build(report, admin, {}, session)
        return [(sql, bound(SimpleNamespace(app=app), params)) for sql, params in statements(report.raw_sql(run))]


@core.measurement("real_estate_statistics", order=72)
def object_statistics(ctx):
    newest = fill(ctx)
    app = plugin_app(ctx)
    rng = random.Random(5)
    ids = [rng.randint(1, newest) for _ in range(ctx.settings.samples)]
    figures = figures_times(ctx, app, ids)
    raw = figures_raw(ctx, app, ids)
    figures["x_baseline_p50"] = round(figures["p50_ms"] / max(raw["p50_ms"], 1e-6), 1)
    row = ctx.row("real_estate_statistics", "an object's statistics panel (figures, price history)", figures,
                  baseline_label="raw SQL of the same figures", baseline=raw, target=f"p50 < {TARGET_MS:g} ms; <= {RATIO:g}x raw SQL")
    row.met = figures["p50_ms"] < TARGET_MS and figures["x_baseline_p50"] <= RATIO
    yield row
    client = ctx.extra["real_estate_client"]
    page = core.latency(ctx.server_times([f"/real_estate/property/{pid}" for pid in ids[:5]], client))
    row = ctx.row("real_estate_statistics", "an object's page with the statistics panel (admin)", page, target=f"p50 < {TARGET_MS:g} ms")
    row.met = page["p50_ms"] < TARGET_MS
    yield row
    for key in ("real_estate.objects", "real_estate.sources"):
        times = report_times(app, key, world.ADMIN_EMAIL, {}, ctx.settings.samples, ctx.settings.rounds)
        baseline = raw_times(ctx, app, report_raw(ctx, app, key), ctx.settings.samples, ctx.settings.rounds)
        times["x_baseline_p50"] = round(times["p50_ms"] / max(baseline["p50_ms"], 1e-6), 1)
        row = ctx.row("real_estate_statistics", f"report {key}: its figures, default view (admin)", times,
                      baseline_label="the report's hand-written SQL (raw_sql)", baseline=baseline, target=f"<= {RATIO:g}x raw SQL")
        row.met = times["x_baseline_p50"] <= RATIO
        yield row
