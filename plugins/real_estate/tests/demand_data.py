"""Objects and demands for the demand and matching tests: written as the system would store them
(objects straight into their table, demands through the records service or in bulk)."""

from __future__ import annotations

import random
from decimal import Decimal

from crmkit import api
from crmkit_real_estate import demand
from crmkit_real_estate.demand_models import Demand
from crmkit_real_estate.models import Property

FLAT = {"kind": "apartment", "deal_type": "sale", "city": "Алматы", "district": "Медеуский", "street": "Абая",
        "area": Decimal("60"), "rooms": 2, "price": Decimal("40000000"), "currency": "KZT", "status": "active"}
WANT = {"kind": "apartment", "deal_type": "sale", "city": "Алматы", "districts": "Медеуский\nБостандыкский",
        "rooms_min": 2, "rooms_max": 3, "area_min": "50", "area_max": "80", "budget_max": "45000000", "currency": "KZT"}
_numbers = iter(range(1, 10**9))


def add_object(owner=None, **fields) -> Property:
    """An object row as saved, in the current session (committed)."""
    values = {**FLAT, **fields}
    prop = Property(number=f"T-{next(_numbers):06d}", owner_id=getattr(owner, "id", owner), **values)
    db = api.session()
    db.add(prop)
    db.commit()
    return prop


def add_person(user, name="Айгерим Садыкова") -> int:
    return api.Records("person", user).create({"name": name}).id


def add_demand(user, person_id=None, **fields) -> Demand:
    """A demand saved through the records service as ``user`` (on a new person by default)."""
    person_id = person_id or add_person(user)
    return api.Records(demand.KEY, user).create({**WANT, "person_id": person_id, **fields})


CITIES = {"Алматы": ["Медеуский", "Бостандыкский", "Алмалинский"], "Астана": ["Есиль", "Сарыарка"]}
KINDS = ["apartment", "house"]


def random_object(rng: random.Random) -> dict:
    city = rng.choice(list(CITIES))
    kind = rng.choice(KINDS)
    return {"kind": kind, "deal_type": rng.choice(["sale", "sale", "rent"]), "city": city,
            "district": rng.choice(CITIES[city] + [None]), "rooms": rng.choice([1, 2, 3, 4, None]),
            "area": Decimal(rng.randrange(30, 200)), "price": Decimal(rng.randrange(5, 120) * 1_000_000),
            "currency": rng.choice(["KZT", "KZT", "KZT", "USD"]),
            "status": rng.choice(["active", "active", "active", "reserved", "sold", "withdrawn"])}


def maybe(rng: random.Random, value):
    return value if rng.random() < 0.6 else None


def random_demand(rng: random.Random) -> dict:
    city = rng.choice(list(CITIES))
    rooms_min = maybe(rng, rng.randrange(1, 4))
    area_min = maybe(rng, rng.randrange(30, 120))
    budget_min = maybe(rng, rng.randrange(5, 60) * 1_000_000)
    districts = rng.sample(CITIES[city], rng.randrange(0, len(CITIES[city]) + 1))
    return {"kind": rng.choice(KINDS), "deal_type": rng.choice(["sale", "sale", "rent"]), "city": city,
            "districts": "\n".join(districts) or None,
            "rooms_min": rooms_min, "rooms_max": maybe(rng, (rooms_min or 1) + rng.randrange(0, 3)),
            "area_min": None if area_min is None else Decimal(area_min),
            "area_max": maybe(rng, Decimal((area_min or 30) + rng.randrange(0, 100))),
            "budget_min": None if budget_min is None else Decimal(budget_min),
            "budget_max": maybe(rng, Decimal((budget_min or 5_000_000) + rng.randrange(0, 60) * 1_000_000)),
            "currency": rng.choice(["KZT", "KZT", "KZT", "USD"]),
            "status": rng.choice(["active", "active", "active", "satisfied", "dropped"])}


def add_bulk(owner_id: int, objects: list[dict], demands: list[dict]) -> list[Demand]:
    """Rows straight into the tables (district rows too), committed; the demands returned."""
    db = api.session()
    for values in objects:
        db.add(Property(number=f"T-{next(_numbers):06d}", owner_id=owner_id, **values))
    rows = [Demand(owner_id=owner_id, summary="", **values) for values in demands]
    db.add_all(rows)
    db.flush()
    demand.sync_districts([row.id for row in rows])
    db.commit()
    return rows
