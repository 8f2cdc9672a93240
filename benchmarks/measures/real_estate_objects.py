"""Real estate objects: the list of all objects (admin, newest first), an agent's "My objects",
the objects on the market in a city, and an object's page (with every panel the plugin and the
core's inventory add), each beside the raw SQL of the same rows; over as many objects as people in
the size. The plugin's app runs on the benchmark's database, its tables migrated here (shared with
the matching measurement, which fills the same table when it runs first)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import insert, select, text

from benchmarks import core, world
from benchmarks.measures.pages import judged, with_baseline
from crmkit import db

PAGE_TARGET_MS = 150.0
BATCH = 20_000
CITIES = {"Алматы": ["Алмалинский", "Бостандыкский", "Медеуский", "Ауэзовский"], "Астана": ["Есиль", "Нура", "Сарыарка"]}
KINDS = ("apartment", "apartment", "apartment", "house", "land", "commercial")
STATUSES = ("active",) * 14 + ("reserved", "sold", "sold", "sold", "rented", "withdrawn")
AT = datetime(2026, 1, 5, tzinfo=UTC)
COLUMNS = "id, number, kind, deal_type, status, city, district, street, rooms, area, price, currency, owner_id"
ALL_SQL = f"SELECT {COLUMNS} FROM real_estate_property WHERE archived_at IS NULL ORDER BY id DESC LIMIT 51"
MINE_SQL = (f"SELECT {COLUMNS} FROM real_estate_property WHERE archived_at IS NULL AND owner_id = :owner "
            "ORDER BY id DESC LIMIT 51")
MARKET_SQL = (f"SELECT {COLUMNS} FROM real_estate_property WHERE archived_at IS NULL AND status = 'active' "
              "AND city = 'Алматы' ORDER BY id DESC LIMIT 51")


def plugin_app(ctx):
    """The app with the real_estate plugin on this run's database, its lineage migrated once."""
    if "real_estate_app" not in ctx.extra:
        from crmkit_real_estate import hooks

        app = ctx.database.app(plugins=(hooks,))
        world.migrate(app)
        ctx.extra["real_estate_app"] = app
        ctx.extra["real_estate_client"] = world.logged_in_client(app)
    return ctx.extra["real_estate_app"]


def row(rng: random.Random, index: int, owners: list[int], people: int) -> dict:
    kind = rng.choice(KINDS)
    city = rng.choice(list(CITIES))
    rooms = rng.randint(1, 5) if kind in ("apartment", "house") else None
    return {"created_at": AT, "updated_at": AT, "archived_at": None, "version": 1, "extra": {},
            "owner_id": owners[index % len(owners)], "kind": kind, "deal_type": "sale" if rng.random() < 0.75 else "rent",
            "status": rng.choice(STATUSES), "number": f"OB-{index:07d}", "city": city,
            "district": rng.choice(CITIES[city]), "street": "Абая", "building": str(rng.randint(1, 200)),
            "area": Decimal(rng.randint(30, 200)), "rooms": rooms, "floor": None, "floors": None,
            "land_area": Decimal(rng.randint(4, 20)) if kind in ("house", "land") else None,
            "price": Decimal(rng.randint(10, 200) * 1_000_000), "currency": "KZT",
            "person_id": rng.randint(1, people), "published_at": AT}


def fill(ctx) -> int:
    """Objects up to the size (added to what the matching measurement made); the newest id."""
    from crmkit_real_estate.models import Property

    app = plugin_app(ctx)
    with app.app_context():
        session = db.session()
        have = session.execute(select(Property.id).order_by(Property.id.desc()).limit(1)).scalar() or 0
        rng = random.Random(31 + have)
        for start in range(have, ctx.size, BATCH):
            count = min(BATCH, ctx.size - start)
            session.execute(insert(Property.__table__),
                            [row(rng, start + i + 1, ctx.data.owner_ids, ctx.data.people) for i in range(count)])
            session.commit()
        if have < ctx.size:
            session.execute(text("ANALYZE real_estate_property" if ctx.engine == "postgresql" else "ANALYZE"))
            session.commit()
        return session.execute(select(Property.id).order_by(Property.id.desc()).limit(1)).scalar()


@core.measurement("real_estate_objects", order=71)
def object_pages(ctx):
    newest = fill(ctx)
    app = plugin_app(ctx)
    admin = ctx.extra["real_estate_client"]
    agent_id = ctx.data.owner_ids[0]
    agent = world.logged_in_client(app, "agent1@example.com")
    target = f"p50 < {PAGE_TARGET_MS:g} ms; 100k within 1.5x of 10k"
    original, ctx.app = ctx.app, app  # the pages and the raw SQL run on the plugin's app
    try:
        found = with_baseline(ctx, "real_estate_objects", "all objects, newest first (admin)", ["/real_estate/property/"],
                              [[(ALL_SQL, {})]], "raw SQL of the page's rows", client=admin, target=target)
        yield judged(found, "p50_ms", PAGE_TARGET_MS)
        found = with_baseline(ctx, "real_estate_objects", "my objects (an agent)", ["/real_estate/property/?owner_id=me"],
                              [[(MINE_SQL, {"owner": agent_id})]], "raw SQL of the page's rows", client=agent, target=target)
        yield judged(found, "p50_ms", PAGE_TARGET_MS)
        found = with_baseline(ctx, "real_estate_objects", "on the market in Almaty (admin)",
                              ["/real_estate/property/?status=active&city=%D0%90%D0%BB%D0%BC%D0%B0%D1%82%D1%8B"],
                              [[(MARKET_SQL, {})]], "raw SQL of the page's rows", client=admin, target=target)
        yield judged(found, "p50_ms", PAGE_TARGET_MS)
        ids = [newest - step * 97 for step in range(ctx.settings.samples) if newest - step * 97 > 0]
        found = with_baseline(ctx, "real_estate_objects", "an object's page with its panels (admin)",
                              [f"/real_estate/property/{i}" for i in ids],
                              [[(f"SELECT * FROM real_estate_property WHERE id = {i}", {})] for i in ids],
                              "raw SQL of the row", client=admin, target=f"p50 < {PAGE_TARGET_MS:g} ms")
        yield judged(found, "p50_ms", PAGE_TARGET_MS)
    finally:
        ctx.app = original
