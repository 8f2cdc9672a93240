"""Real estate matching both ways, over as many objects and as many demands as people in the size
(10k, 100k, 1M): an object's page of matching demands and a demand's page of matching objects
(each scored and sorted, first page), beside the raw SQL of the same rows; and the unmet-demand
report beside its raw SQL. The plugin's app runs on the benchmark's database, its tables migrated
here. Target: matching under 100 ms (p50) both ways.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select, text

from benchmarks import core, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db

MATCH_TARGET_MS = 100.0
BATCH = 20_000
CITIES = {
    "Алматы": ["Алатауский", "Алмалинский", "Ауэзовский", "Бостандыкский", "Жетысуский", "Медеуский", "Наурызбайский", "Турксибский"],
    "Астана": ["Алматы", "Байконур", "Есиль", "Нура", "Сарыарка"],
    "Шымкент": ["Абайский", "Аль-Фарабийский", "Енбекшинский", "Каратауский"],
    "Караганда": ["Казыбек би", "Октябрьский"],
}
CITY_WEIGHTS = [5, 3, 1, 1]
KINDS = ["apartment", "apartment", "apartment", "house", "land", "commercial"]
STAMPS = {"created_at": datetime(2026, 1, 5, tzinfo=UTC), "updated_at": datetime(2026, 1, 5, tzinfo=UTC), "archived_at": None}
PRICE_M = {"apartment": (12, 90), "house": (25, 250), "land": (3, 60), "commercial": (30, 400)}  # millions of KZT, sale


def matching_views_module():
    from crmkit_real_estate import matching_views

    return matching_views


def plugin_app(ctx):
    """The app with the real_estate plugin on this run's database, its lineage migrated once."""
    if "real_estate_app" not in ctx.extra:
        from crmkit_real_estate import hooks

        app = ctx.database.app(plugins=(hooks,))
        world.migrate(app)
        ctx.extra["real_estate_app"] = app
        ctx.extra["real_estate_client"] = world.logged_in_client(app)
    return ctx.extra["real_estate_app"]


def price_of(rng: random.Random, kind: str, deal_type: str) -> int:
    low, high = PRICE_M[kind]
    price = rng.randint(low, high) * 1_000_000
    return price // 200 if deal_type == "rent" else price  # a month's rent


def place(rng: random.Random) -> tuple[str, list[str]]:
    city = rng.choices(list(CITIES), CITY_WEIGHTS)[0]
    return city, CITIES[city]


def object_row(rng: random.Random, index: int, owners: list[int], people: int) -> dict:
    kind, deal_type = rng.choice(KINDS), "sale" if rng.random() < 0.75 else "rent"
    city, districts = place(rng)
    rooms = rng.randint(1, 5) if kind in ("apartment", "house") else None
    return {**STAMPS, "version": 1, "owner_id": rng.choice(owners), "extra": {}, "kind": kind, "deal_type": deal_type,
            "status": rng.choices(["active", "reserved", "sold", "rented", "withdrawn"], [70, 5, 15, 5, 5])[0],
            "number": f"BM-{index:07d}", "city": city, "district": rng.choice(districts), "street": "Абая",
            "area": Decimal(rng.randint(25, 60) + 20 * (rooms or 2)), "rooms": rooms,
            "price": Decimal(price_of(rng, kind, deal_type)), "currency": "KZT", "person_id": rng.randint(1, people)}


def demand_row(rng: random.Random, owners: list[int], people: int) -> tuple[dict, list[str]]:
    kind, deal_type = rng.choice(KINDS), "sale" if rng.random() < 0.75 else "rent"
    city, districts = place(rng)
    named = rng.sample(districts, min(len(districts), rng.choice([0, 1, 1, 2, 2, 3])))
    rooms = rng.randint(1, 4) if kind in ("apartment", "house") and rng.random() < 0.8 else None
    top = price_of(rng, kind, deal_type)
    row = {**STAMPS, "version": 1, "owner_id": rng.choice(owners), "extra": {}, "summary": f"{city} · ≤ {top}",
           "person_id": rng.randint(1, people), "deal_type": deal_type, "kind": kind, "city": city,
           "districts": "\n".join(named) or None, "rooms_min": rooms, "rooms_max": rooms + 1 if rooms else None,
           "area_min": Decimal(rng.randint(30, 90)) if rng.random() < 0.5 else None, "area_max": None,
           "budget_min": Decimal(top // 2) if rng.random() < 0.3 else None, "budget_max": Decimal(top),
           "currency": "KZT", "status": rng.choices(["active", "satisfied", "dropped"], [80, 10, 10])[0]}
    return row, named


def fill(ctx) -> None:
    """``size`` objects and ``size`` demands (with their district rows), added up to the size."""
    from crmkit_real_estate.demand_models import Demand, DemandDistrict
    from crmkit_real_estate.models import Property

    app = plugin_app(ctx)
    with app.app_context():
        session = db.session()
        have = session.execute(select(Property.id).order_by(Property.id.desc()).limit(1)).scalar() or 0
        rng = random.Random(20 + have)
        owners, people = ctx.data.owner_ids, ctx.data.people
        for start in range(have, ctx.size, BATCH):
            count = min(BATCH, ctx.size - start)
            session.execute(insert(Property.__table__), [object_row(rng, start + i + 1, owners, people) for i in range(count)])
            made = [demand_row(rng, owners, people) for _ in range(count)]
            first = (session.execute(select(Demand.id).order_by(Demand.id.desc()).limit(1)).scalar() or 0) + 1
            session.execute(insert(Demand.__table__), [row for row, _named in made])
            districts = [{"demand_id": first + i, "district": name} for i, (_row, named) in enumerate(made) for name in named]
            if districts:
                session.execute(insert(DemandDistrict.__table__), districts)
            session.commit()
        if ctx.engine == "postgresql":
            session.execute(text("ANALYZE real_estate_property; ANALYZE real_estate_demand; ANALYZE real_estate_demand_district"))
            session.commit()
        else:
            session.execute(text("ANALYZE"))
            session.commit()


SCORE = ("round(CASE WHEN coalesce(d.budget_max, d.budget_min) IS NULL THEN 25 ELSE max0(50 * (1 - abs({price} - coalesce(d.budget_max, d.budget_min)) "
         "/ coalesce(d.budget_max, d.budget_min))) END + CASE WHEN coalesce(d.area_min, d.area_max) IS NULL THEN 10 "
         "ELSE max0(20 * (1 - abs({area} - (coalesce(d.area_min, d.area_max) + coalesce(d.area_max, d.area_min)) / 2) "
         "/ ((coalesce(d.area_min, d.area_max) + coalesce(d.area_max, d.area_min)) / 2))) END + CASE WHEN coalesce(d.rooms_min, d.rooms_max) IS NULL "
         "OR {rooms} IS NULL THEN 7.5 ELSE max0(15 * (1 - abs({rooms} - (coalesce(d.rooms_min, d.rooms_max) + coalesce(d.rooms_max, d.rooms_min)) / 2.0) "
         "/ ((coalesce(d.rooms_min, d.rooms_max) + coalesce(d.rooms_max, d.rooms_min)) / 2.0))) END + CASE WHEN d.districts IS NULL THEN 8 ELSE 15 END)")
MATCH = ("d.deal_type = {deal_type} AND d.kind = {kind} AND d.city = {city} "
         "AND ((d.budget_min IS NULL AND d.budget_max IS NULL) OR d.currency = {currency}) "
         "AND (d.budget_min IS NULL OR {price} >= d.budget_min) AND (d.budget_max IS NULL OR {price} <= d.budget_max) "
         "AND (d.rooms_min IS NULL OR {rooms} >= d.rooms_min) AND (d.rooms_max IS NULL OR {rooms} <= d.rooms_max) "
         "AND (d.area_min IS NULL OR {area} >= d.area_min) AND (d.area_max IS NULL OR {area} <= d.area_max)")


def score_sql(engine: str, **columns: str) -> str:
    found = SCORE.format(**columns)
    clamp = "greatest({}, 0)" if engine == "postgresql" else "max({}, 0)"
    while "max0(" in found:  # max0(x) -> the engine's two-argument maximum with 0
        start = found.index("max0(")
        depth, end = 0, start + 5
        for end in range(start + 5, len(found)):
            depth += {"(": 1, ")": -1}.get(found[end], 0)
            if depth < 0:
                break
        found = found[:start] + clamp.format(found[start + 5:end]) + found[end + 1:]
    return found


def demands_sql(ctx, prop: dict) -> list[tuple[str, dict]]:
    """The object page's two statements by hand: the first page of matching demands, scored, and
    the counts of all matching and of those the user sees (all, for the admin)."""
    values = {name: f":{name}" for name in ("deal_type", "kind", "city", "currency")}
    values.update(price="CAST(:price AS NUMERIC)", rooms="CAST(:rooms AS INTEGER)", area="CAST(:area AS NUMERIC)")
    where = ("d.status = 'active' AND d.archived_at IS NULL AND " + MATCH.format(**values)
             + " AND (d.districts IS NULL OR d.id IN (SELECT demand_id FROM real_estate_demand_district WHERE district = :district))")
    score = score_sql(ctx.engine, **values)
    rows = f"SELECT d.*, {score} AS score FROM real_estate_demand d WHERE {where} ORDER BY score DESC, d.id DESC LIMIT 21"
    count = f"SELECT count(*), count(CASE WHEN d.archived_at IS NULL THEN 1 END) FROM real_estate_demand d WHERE {where}"
    return [(rows, prop), (count, prop)]


def objects_sql(ctx, want: dict, named: list[str]) -> list[tuple[str, dict]]:
    """The demand page's statement by hand: the first page of matching active objects, scored."""
    values = {"deal_type": "p.deal_type", "kind": "p.kind", "city": "p.city", "currency": "p.currency",
              "price": "p.price", "rooms": "p.rooms", "area": "p.area"}
    where = MATCH.format(**values).replace("d.deal_type = p.deal_type AND d.kind = p.kind AND d.city = p.city",
                                           "p.deal_type = d.deal_type AND p.kind = d.kind AND p.city = d.city")
    districts = "AND p.district IN (SELECT district FROM real_estate_demand_district WHERE demand_id = d.id)" if named else ""
    score = score_sql(ctx.engine, **values)
    sql = (f"SELECT p.*, {score} AS score FROM real_estate_property p, real_estate_demand d WHERE d.id = :id "
           f"AND p.status = 'active' AND p.archived_at IS NULL AND {where} {districts} ORDER BY score DESC, p.id DESC LIMIT 21")
    return [(sql, {"id": want["id"]})]


def bindable(ctx, value):
    """sqlite3 binds no Decimal: a float compares with the NUMERIC columns as the ORM's value does."""
    return float(value) if isinstance(value, Decimal) and ctx.engine == "sqlite" else value


def samples(ctx, table: str, count: int) -> list[dict]:
    app = plugin_app(ctx)
    with app.app_context():
        found = db.session().execute(text(f"SELECT * FROM {table} WHERE status = 'active' AND archived_at IS NULL "
                                          f"AND id % 97 = 3 ORDER BY id LIMIT :n"), {"n": count}).mappings().all()
    return [dict(row) for row in found]


@core.measurement("matching", order=70)
def matching(ctx):
    fill(ctx)
    app, client = plugin_app(ctx), ctx.extra["real_estate_client"]
    matching_views = matching_views_module()
    target = f"p50 < {MATCH_TARGET_MS:g} ms"
    objects = samples(ctx, "real_estate_property", ctx.settings.samples)
    params = [{k: bindable(ctx, o[k]) for k in ("deal_type", "kind", "city", "currency", "price", "rooms", "area", "district")}
              for o in objects]
    original, ctx.app = ctx.app, app  # the pages and the raw SQL run on the plugin's app
    try:
        row = with_baseline(ctx, "matching", "an object's matching demands, first page (admin)",
                            [f"/real-estate/objects/{o['id']}/demands" for o in objects],
                            [demands_sql(ctx, p) for p in params], "raw SQL of the page's rows and counts",
                            client=client, target=target)
        yield judged(row, "p50_ms", MATCH_TARGET_MS)
        yield alone(ctx, "an object's matching demands: the queries alone (first page and counts)", objects, "property",
                    lambda user, record: matching_views.demand_matches(user, record, 1, 20), [demands_sql(ctx, p) for p in params])
        demands = samples(ctx, "real_estate_demand", ctx.settings.samples)
        row = with_baseline(ctx, "matching", "a demand's matching objects, first page (admin)",
                            [f"/real-estate/demands/{d['id']}/objects" for d in demands],
                            [objects_sql(ctx, d, (d["districts"] or "").split("\n") if d["districts"] else []) for d in demands],
                            "raw SQL of the page's rows", client=client, target=target)
        yield judged(row, "p50_ms", MATCH_TARGET_MS)
        yield alone(ctx, "a demand's matching objects: the query alone (first page)", demands, "demand",
                    lambda user, record: matching_views.object_matches(user, record, 1, 20),
                    [objects_sql(ctx, d, [1] if d["districts"] else []) for d in demands])
        yield unmet_row(ctx, client)
    finally:
        ctx.app = original


def alone(ctx, case: str, rows: list[dict], which: str, query, raw: list) -> core.Row:
    """The plugin's matching function itself (ORM statement, visibility, score), without the page."""
    from crmkit.core.auth.models import User
    from crmkit_real_estate.demand_models import Demand
    from crmkit_real_estate.models import Property

    model = Property if which == "property" else Demand
    with ctx.app.test_request_context():
        session = db.session()
        admin = session.execute(select(User).where(User.email == world.ADMIN_EMAIL)).scalar_one()
        records = [session.get(model, row["id"]) for row in rows]
        found = core.latency(core.sample(lambda record: query(admin, record), records, ctx.settings.rounds))
    baseline = core.latency(ctx.sql_times(raw))
    found["x_baseline_p50"] = round(found["p50_ms"] / max(baseline["p50_ms"], 1e-6), 1)
    return judged(ctx.row("matching", case, found, baseline_label="the same raw SQL", baseline=baseline,
                          target=f"p50 < {MATCH_TARGET_MS:g} ms"), "p50_ms", MATCH_TARGET_MS)


def unmet_row(ctx, client) -> core.Row:
    """The unmet-demand report's page beside its own raw SQL (one NOT EXISTS per active demand)."""
    from benchmarks.measures.reports import raw_statements
    from crmkit.reports.registry import reports as registry

    with ctx.app.app_context():
        report = registry().get("real_estate.unmet_demand")
    raw = raw_statements(ctx, report)
    return with_baseline(ctx, "matching", "unmet-demand report, default view (admin)", ["/reports/real_estate.unmet_demand/"],
                         [raw], "the report's raw_sql", client=client, target="none (a report over every demand)")
