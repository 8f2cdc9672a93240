"""The agency's demo (``demo_data`` hook): objects for sale and rent across Almaty's and Astana's
districts, their owners, buyers and tenants with demands, and a year of calls, showings, leads,
offers and deals about the objects, advertised on portals with tracking numbers.

Cheaper objects (against the median of their kind, deal and city) draw more calls, and calls
come mostly in an object's first weeks, so the statistics and the sources report tell a story.
Only the agency profile gets it; one seed gives the same objects again.
"""

from __future__ import annotations

import statistics as stats
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from crmkit import api
from crmkit_real_estate import demo_words as w
from crmkit_real_estate.counts import links
from crmkit_real_estate.models import PriceChange
from crmkit_real_estate.people import PersonRole

ZONE = ZoneInfo("Asia/Almaty")
PROPERTY = "real_estate.property"
ROLE_OF_TAG = {"покупатель": "is_buyer", "продавец": "is_seller", "арендатор": "is_tenant", "арендодатель": "is_landlord"}


class Year:
    """Moments of the agency's working days, counted in days from ``today`` (negative: the past)."""

    def __init__(self, rng, today: date):
        self.rng, self.today = rng, today

    def at(self, day: int, hour: int | None = None) -> datetime:
        moment = time(hour if hour is not None else self.rng.choice((10, 11, 12, 14, 15, 16, 17)), self.rng.randrange(0, 60, 5))
        return datetime.combine(self.today + timedelta(days=day), moment, tzinfo=ZONE).astimezone(UTC)


def data(demo) -> dict[str, int] | None:
    if demo.profile != "agency" or not demo.staff or not demo.people:
        return None
    rng, year = demo.rng, Year(demo.rng, demo.today)
    written = {"inventory_link": 0}
    sources = {key: demo.lead_source(key, names, [number]) for key, names, number, _cost in w.PORTALS}
    by_tag = {tag: [p for p in demo.people if tag in p.tags] for tag in ROLE_OF_TAG}
    written["real_estate_person"] = roles(demo, by_tag)
    objects = write_objects(demo, year, by_tag)
    written["real_estate_price_change"] = reprice(demo, year, objects)
    write_placements(demo, objects, sources)
    buyers = by_tag["покупатель"] + by_tag["арендатор"] or demo.people
    link_rows = write_activity(demo, year, objects, buyers, sources)
    link_rows += write_leads(demo, year, objects, sources)
    link_rows += write_offers_and_deals(demo, objects, buyers)
    for start in range(0, len(link_rows), 1000):
        demo.session.execute(insert(links), link_rows[start:start + 1000])
    written["inventory_link"] = len(link_rows)
    write_demands(demo, buyers)
    return written


def roles(demo, by_tag) -> int:
    """The people's real-estate roles (and a buyer's districts), from what the demo tagged them."""
    rows = {}
    for tag, people in by_tag.items():
        for person in people:
            row = rows.setdefault(person.id, {"record_id": person.id, "is_buyer": False, "is_seller": False,
                                              "is_landlord": False, "is_tenant": False, "districts": None})
            row[ROLE_OF_TAG[tag]] = True
            if tag in ("покупатель", "арендатор"):
                city = person.city if person.city in w.DISTRICTS else "Алматы"
                row["districts"] = ", ".join(demo.rng.sample(list(w.DISTRICTS[city]), 2))
    if rows:
        demo.session.execute(insert(PersonRole.__table__), list(rows.values()))
    return len(rows)


def agent_for(demo, city: str, deal_type: str):
    line = "Аренда" if deal_type == "rent" else "Продажи"
    pool = [s for s in demo.staff if s.office == city and line in s.department] or [s for s in demo.staff if s.office == city]
    return demo.rng.choice(pool or demo.staff)


def object_input(rng, n: int, city: str, deal_type: str, owner_person) -> dict:
    kind = rng.choices([k for k, _w in w.KINDS], [wt for _k, wt in w.KINDS])[0]
    if deal_type == "rent" and kind == "land":
        kind = "apartment"
    district = rng.choice(list(w.DISTRICTS[city]))
    low, high = w.AREA[kind]
    area = Decimal(rng.randint(low, high)) if high else Decimal(0)
    land = Decimal(rng.randint(4, 15)) if kind in ("house", "land") else None
    per_m2 = w.SALE_M2[district] * rng.uniform(0.85, 1.2)
    if kind == "land":
        price = float(land) * 2_500_000 * per_m2 / 600_000
    else:
        price = float(area) * (per_m2 if deal_type == "sale" else w.RENT_M2 * per_m2 / 600_000)
    step = 100_000 if deal_type == "sale" else 5_000
    rooms = max(1, min(6, int(area) // 28)) if kind in ("apartment", "house") else None
    floors = rng.choice((5, 9, 12, 16, 22)) if kind == "apartment" else (rng.choice((1, 2)) if kind == "house" else None)
    return {
        "kind": kind, "deal_type": deal_type, "number": f"{'AL' if city == 'Алматы' else 'AS'}-{n:05d}", "city": city,
        "district": district, "street": rng.choice(w.DISTRICTS[city][district]), "building": str(rng.randint(1, 240)),
        "area": str(area), "land_area": str(land) if land is not None else None, "rooms": rooms,
        "floor": rng.randint(1, floors) if kind == "apartment" else None, "floors": floors,
        "price": str(max(step, round(price / step) * step)), "currency": "KZT",
        "person_id": owner_person.id if owner_person else None, "description": rng.choice(w.DESCRIPTIONS[kind]),
    }


def write_objects(demo, year: Year, by_tag) -> list[dict]:
    rng = demo.rng
    owners = {"sale": by_tag["продавец"] or demo.people, "rent": by_tag["арендодатель"] or demo.people}
    count = max(30, len(demo.people) // 3)
    drafts = []
    for n in range(1, count + 1):
        deal_type = "rent" if rng.random() < 0.35 else "sale"
        owner_person = rng.choice(owners[deal_type])
        city = owner_person.city if owner_person.city in w.DISTRICTS else rng.choice(("Алматы", "Алматы", "Астана"))
        values = object_input(rng, n, city, deal_type, owner_person)
        published = -rng.randint(3, 365)
        closed, status = None, "active"
        roll = rng.random()
        if roll < (0.45 if deal_type == "rent" else 0.35) and published < -20:
            status, closed = ("rented" if deal_type == "rent" else "sold"), rng.randint(published + 14, -1)
        elif roll < 0.55:
            status = rng.choice(("reserved", "withdrawn", "active"))
            closed = rng.randint(published + 7, -1) if status == "withdrawn" and published < -10 else None
            status = status if status != "withdrawn" or closed else "active"
        agent = agent_for(demo, city, deal_type)
        values["status"] = status
        drafts.append({"data": values, "agent": agent, "published": published, "closed": closed})
    items = ((d["data"], {"owner_id": d["agent"].id, "created_by_id": d["agent"].id, "created_at": year.at(d["published"]),
                          "updated_at": year.at(d["closed"] or -1), "published_at": year.at(d["published"]),
                          "closed_at": year.at(d["closed"]) if d["closed"] is not None else None}) for d in drafts)
    for draft, (record_id, row) in zip(drafts, demo.write(PROPERTY, items), strict=True):
        draft.update(id=record_id, price=Decimal(row["price"]), kind=row["kind"], deal_type=row["deal_type"], city=row["city"],
                     status=row["status"], end=draft["closed"] if draft["closed"] is not None else 0)
    medians: dict[tuple, float] = {}
    for key in {(d["kind"], d["deal_type"], d["city"]) for d in drafts}:
        medians[key] = stats.median(float(d["price"]) for d in drafts if (d["kind"], d["deal_type"], d["city"]) == key)
    for d in drafts:  # cheaper than the median draws more calls
        d["appeal"] = max(0.3, min(3.0, (medians[(d["kind"], d["deal_type"], d["city"])] / float(d["price"])) ** 1.5))
    return drafts


def reprice(demo, year: Year, objects: list[dict]) -> int:
    """The first price on listing, and one or two reductions for about a third of the objects."""
    rows = []
    for o in objects:
        history = [o["price"]]
        if demo.rng.random() < 0.33 and o["end"] - o["published"] > 20:
            for _ in range(demo.rng.choice((1, 1, 2))):
                history.insert(0, (history[0] * Decimal(demo.rng.uniform(1.03, 1.08))).quantize(Decimal("1000")))
        day = o["published"]
        rows.append({"property_id": o["id"], "old_price": None, "new_price": history[0], "currency": "KZT",
                     "changed_at": year.at(day), "changed_by_id": o["agent"].id})
        for old, new in zip(history, history[1:], strict=False):
            day = demo.rng.randint(day + 1, max(day + 1, o["end"] - 1))
            rows.append({"property_id": o["id"], "old_price": old, "new_price": new, "currency": "KZT",
                         "changed_at": year.at(day), "changed_by_id": o["agent"].id})
    demo.session.execute(insert(PriceChange.__table__), rows)
    return len(rows)


def write_placements(demo, objects: list[dict], sources: dict[str, int]) -> None:
    rng, items = demo.rng, []
    keys = [p[0] for p in w.PORTALS]
    for o in objects:
        chosen = set(rng.choices(keys, w.PORTAL_WEIGHTS, k=2))
        o["portals"] = sorted(chosen)
        for key in o["portals"]:
            monthly = next(p[3] for p in w.PORTALS if p[0] == key)
            months = max(1, (o["end"] - o["published"]) // 30)
            started = demo.today + timedelta(days=o["published"])
            ended = demo.today + timedelta(days=o["end"]) if o["end"] < 0 else None
            items.append(({"property_id": o["id"], "source_id": sources[key], "url": f"https://{key}.example/a/{o['id']}",
                           "cost": str(monthly * months) if monthly else None, "currency": "KZT",
                           "started_on": started.isoformat(), "ended_on": ended.isoformat() if ended else None},
                          {"owner_id": o["agent"].id, "created_by_id": o["agent"].id,
                           "title": f"{o['data']['number']} · {key}"}))
    demo.write("real_estate.placement", items)


def link_row(subject: str, subject_id: int, property_id: int, at: datetime, user_id: int) -> dict:
    return {"subject_entity": subject, "subject_id": subject_id, "item_entity": PROPERTY, "item_id": property_id,
            "created_at": at, "created_by_id": user_id}


def write_activity(demo, year: Year, objects: list[dict], buyers, sources) -> list[dict]:
    """Calls (mostly in an object's first weeks, to a portal's tracking number) and showings."""
    rng, numbers = demo.rng, {p[0]: p[2] for p in w.PORTALS}
    items, about = [], []
    for o in objects:
        days = max(1, o["end"] - o["published"])
        expected = days / 10 * o["appeal"]
        calls = int(expected) + (rng.random() < expected - int(expected))
        for _ in range(calls):
            day = o["published"] + int(days * rng.random() ** 1.7)
            buyer = rng.choice(buyers)
            answered = rng.random() < 0.85
            items.append(({"kind": "call", "subject": rng.choice(w.CALL_SUBJECTS), "direction": "inbound",
                           "their_address": buyer.phone or "+77010000000", "our_address": numbers[rng.choice(o["portals"])],
                           "outcome": "answered" if answered else "missed", "duration_seconds": rng.randint(40, 420) if answered else None,
                           "about_entity": "person", "about_id": buyer.id, "happened_at": year.at(day)},
                          {"owner_id": o["agent"].id, "created_by_id": o["agent"].id, "created_at": year.at(day, 18)}))
            about.append(o)
        for _ in range(int(calls / 3)):
            day = min(o["end"] + 6, o["published"] + int(days * rng.random() ** 1.4) + rng.randint(1, 5))
            start = year.at(day)
            buyer = rng.choice(buyers)
            items.append(({"kind": "meeting", "subject": f"Показ {o['data']['number']}", "happened_at": start,
                           "ends_at": start + timedelta(minutes=45), "place": rng.choice(w.SHOWING_PLACES),
                           "about_entity": "person", "about_id": buyer.id},
                          {"owner_id": o["agent"].id, "created_by_id": o["agent"].id, "created_at": start - timedelta(days=1)}))
            about.append(o)
        o["showings"] = int(calls / 3)
    found = demo.write("activity", items)
    return [link_row("activity", record_id, o["id"], row["created_at"], o["agent"].id)
            for (record_id, row), o in zip(found, about, strict=True)]


def write_leads(demo, year: Year, objects: list[dict], sources) -> list[dict]:
    rng, items, about = demo.rng, [], []
    for o in objects:
        for _ in range(max(0, int(o["appeal"] * 2 + rng.random() * 2) - 1)):
            day = rng.randint(o["published"], o["end"])
            portal = rng.choice(o["portals"])
            recent = day > -3  # older leads were worked: handed to the object's agent
            items.append(({"name": rng.choice(("Айгерим", "Ерлан", "Ольга", "Данияр", "Марина", "Нурлан")),
                           "status": "new" if recent else "in_work",
                           "phones": f"+7701{rng.randint(1000000, 9999999)}", "request": f"Интересует {o['data']['number']}",
                           "source_id": sources[portal], "channel": "manual", "received_at": year.at(day)},
                          {"owner_id": o["agent"].id, "created_by_id": o["agent"].id, "created_at": year.at(day)}))
            about.append(o)
    found = demo.write("lead", items)
    return [link_row("lead", record_id, o["id"], row["created_at"], o["agent"].id)
            for (record_id, row), o in zip(found, about, strict=True)]


def write_offers_and_deals(demo, objects: list[dict], buyers) -> list[dict]:
    """Offers on shown objects (the accepted one of a sold or rented object with its deal)."""
    rng, items, rows = demo.rng, [], []
    deal = api.entity("deal").model.__table__
    won = list(demo.session.execute(select(deal.c.id).where(deal.c.won_amount.is_not(None)).order_by(deal.c.id)).scalars())
    rng.shuffle(won)
    for o in objects:
        if o["showings"] < 1:
            continue
        closed = o["status"] in ("sold", "rented")
        deal_id = won.pop() if closed and won else None
        if deal_id is not None:
            rows.append(link_row("deal", deal_id, o["id"], datetime.combine(demo.today + timedelta(days=o["end"]), time(12), tzinfo=UTC),
                                 o["agent"].id))
        for n in range(rng.randint(1 if closed else 0, 3)):
            last = closed and n == 0
            amount = (o["price"] * Decimal(rng.uniform(0.9, 0.99) if not last else 1)).quantize(Decimal("1000"))
            status = "accepted" if last else ("declined" if closed else rng.choice(("proposed", "proposed", "declined")))
            made = demo.today + timedelta(days=min(o["end"], rng.randint(o["published"], o["end"])))
            items.append(({"property_id": o["id"], "person_id": rng.choice(buyers).id, "amount": str(amount), "currency": "KZT",
                           "status": status, "made_on": made.isoformat(), "deal_id": deal_id if last else None},
                          {"owner_id": o["agent"].id, "created_by_id": o["agent"].id,
                           "title": f"{o['data']['number']}: {amount:,.0f} KZT".replace(",", "\u00a0")}))
    demo.write("real_estate.offer", items)
    return rows


def write_demands(demo, buyers) -> None:
    rng, items = demo.rng, []
    try:
        api.entity("real_estate.demand")
    except LookupError:
        return
    for person in buyers:
        city = person.city if person.city in w.DISTRICTS else "Алматы"
        rent = "арендатор" in person.tags
        rooms = rng.randint(1, 3)
        budget = (rooms * 26 * w.RENT_M2 if rent else rooms * 26 * 600_000) * rng.uniform(0.8, 1.4)
        step = 10_000 if rent else 1_000_000
        items.append(({"person_id": person.id, "deal_type": "rent" if rent else "sale", "kind": "apartment", "city": city,
                       "districts": "\n".join(rng.sample(list(w.DISTRICTS[city]), rng.randint(1, 3))),
                       "rooms_min": rooms, "rooms_max": rooms + 1, "budget_max": str(round(budget / step) * step), "currency": "KZT",
                       "status": rng.choices(("active", "satisfied", "dropped"), (70, 20, 10))[0]},
                      {"owner_id": person.owner_id, "created_by_id": person.owner_id}))
    demo.write("real_estate.demand", items)
