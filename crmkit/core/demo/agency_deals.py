"""The agency's deals: a sales pipeline (buyers and sellers of flats and houses) and a rent pipeline
(tenants, landlords and employers renting for their staff); a deal's amount is the agency's fee."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from crmkit.core.demo.agency import property_in
from crmkit.core.demo.company import Draft
from crmkit.core.demo.deals import Book, Setup

# names, probability, kind, colour, rot days, mean working days a deal spends there, chance to move on
SALES = (
    {"ru": "Продажа недвижимости", "kk": "Жылжымайтын мүлікті сату", "en": "Property sales"},
    (({"ru": "Заявка", "kk": "Өтінім", "en": "Request"}, 10, "open", "#60a5fa", 7, 6, 0.8),
     ({"ru": "Показы", "kk": "Көрсетілімдер", "en": "Viewings"}, 30, "open", "#a78bfa", 14, 20, 0.7),
     ({"ru": "Задаток", "kk": "Кепілпұл", "en": "Deposit"}, 70, "open", "#f59e0b", 10, 14, 0.8),
     ({"ru": "Сделка у нотариуса", "kk": "Нотариустағы мәміле", "en": "Notary deal"}, 90, "open", "#fbbf24", 7, 10, 0.95),
     ({"ru": "Сделка закрыта", "kk": "Мәміле жабылды", "en": "Closed"}, 100, "won", "#16a34a", None, 0, 0),
     ({"ru": "Сделка сорвалась", "kk": "Мәміле бұзылды", "en": "Fell through"}, 0, "lost", "#dc2626", None, 0, 0)),
)
RENTALS = (
    {"ru": "Аренда", "kk": "Жалға алу", "en": "Rentals"},
    (({"ru": "Заявка на аренду", "kk": "Жалға алу өтінімі", "en": "Rental request"}, 20, "open", "#38bdf8", 3, 4, 0.85),
     ({"ru": "Подбор и показы", "kk": "Іріктеу және көрсету", "en": "Search and viewings"}, 50, "open", "#818cf8", 7, 10, 0.7),
     ({"ru": "Договор аренды", "kk": "Жалдау шарты", "en": "Lease"}, 85, "open", "#fbbf24", 5, 6, 0.9),
     ({"ru": "Заселение", "kk": "Қоныстану", "en": "Moved in"}, 100, "won", "#16a34a", None, 0, 0),
     ({"ru": "Отказ от аренды", "kk": "Жалдаудан бас тарту", "en": "Rental declined"}, 0, "lost", "#dc2626", None, 0, 0)),
)
REASONS = (
    ({"ru": "Купил через другое агентство", "kk": "Басқа агенттік арқылы сатып алды", "en": "Bought through another agency"}, 20),
    ({"ru": "Снял через другое агентство", "kk": "Басқа агенттік арқылы жалға алды", "en": "Rented through another agency"}, 15),
    ({"ru": "Не одобрили ипотеку", "kk": "Ипотека мақұлданбады", "en": "Mortgage refused"}, 15),
    ({"ru": "Собственник передумал", "kk": "Меншік иесі райынан қайтты", "en": "The owner changed their mind"}, 15),
    ({"ru": "Не подошла цена", "kk": "Бағасы сәйкес келмеді", "en": "The price did not suit"}, 20),
    ({"ru": "Перестал отвечать", "kk": "Жауап бермей кетті", "en": "Stopped answering"}, 15),
)
# name, unit, list price in tenge, quantities (the fee is priced per deal; see ``lines``)
SALES_FEES = (("Сопровождение покупки недвижимости", "услуга", "1000000", (1,)),
              ("Продажа объекта собственника", "услуга", "1200000", (1,)))
RENT_FEES = (("Подбор арендатора или квартиры", "услуга", "250000", (1,)),
             ("Корпоративная аренда: подбор жилья сотрудникам", "услуга", "400000", (1,)))
PRICES = {"1-комн. квартира": (22, 38), "2-комн. квартира": (32, 60), "3-комн. квартира": (45, 95), "4-комн. квартира": (70, 140),
          "студия": (17, 28), "дом": (60, 250), "офис": (40, 180)}  # millions of tenge
RENTS = {"1-комн. квартира": (180, 300), "2-комн. квартира": (250, 450), "3-комн. квартира": (350, 650), "4-комн. квартира": (500, 900),
         "студия": (150, 230), "дом": (500, 1500), "офис": (300, 1200)}  # thousands of tenge a month
NOTES = ("Нашли вариант дешевле на Krisha.kz", "Банк занизил оценку квартиры", "Собственник поднял цену после показа",
         "Решили подождать до весны", None, None)
TASKS = ("Организовать повторный показ", "Подготовить договор", "Уточнить бюджет и сроки у клиента",
         "Отправить клиенту подборку вариантов", "Запросить у собственника справку о зарегистрированных правах")
DEALS_BY_SIZE = {"small": 240, "medium": 2400, "large": 24000}  # an agency's deals are many and small


def is_rent(setup: Setup, _client: Draft | None = None) -> bool:
    return setup.prices[0][0].name == RENT_FEES[0][0]


def route(client: Draft) -> int:
    """The pipeline a client's deals go to: the rent one for tenants, landlords and employers."""
    tags = client.data.get("tags") or ""
    return 1 if any(tag in tags for tag in ("арендатор", "арендодатель", "корпоративная аренда")) else 0


def lines(rng: random.Random, setup: Setup, client: Draft) -> list[dict[str, Any]]:
    """One line naming the property: the agency's fee, 2% of a sale's price (at least 400 000 ₸),
    or a month's rent (three from an employer)."""
    kind, where = property_in(rng, client.city or "Алматы")
    corporate = "legal_name" in client.data or client.data.get("organization_id")
    selling = any(tag in (client.data.get("tags") or "") for tag in ("продавец", "застройщик"))
    item = setup.prices[1 if corporate and is_rent(setup, client) or selling else 0][0]
    if is_rent(setup, client):
        fee = Decimal(rng.randint(*RENTS[kind]) * 1000) * (3 if corporate else 1)
    else:
        fee = max(Decimal(rng.randint(*PRICES[kind]) * 1_000_000) * Decimal("0.02"), Decimal(400000))
    fee = (fee / 1000).quantize(Decimal(1)) * 1000
    return [{"price_item_id": item.id, "position": 0, "name": f"{item.name}: {kind}, {where}", "unit": item.unit, "quantity": Decimal(1),
             "price": fee, "discount_percent": Decimal(0), "vat_rate": item.vat_rate}]


def title(rng: random.Random, setup: Setup, deal_lines: list[dict[str, Any]], client: Draft) -> str:
    """What the agent calls it: "Покупка: 2-комн. квартира, мкр. Самал-2 — Сейткалиев Нурлан", the property its fee line names."""
    place = deal_lines[0]["name"].rsplit(": ", 1)[1]
    tags = client.data.get("tags") or ""
    if is_rent(setup, client):
        verb = "Сдача" if "арендодатель" in tags else "Аренда для сотрудников" if "legal_name" in client.data else "Аренда"
    elif "застройщик" in tags:
        verb = "Продажа новостройки"
    else:
        verb = "Продажа" if "продавец" in tags else "Покупка"
    name = client.stored.get("name", "")
    short = name if "legal_name" in client.data else " ".join(name.split()[:2])
    return f"{verb}: {place} — {short}"[:200]


def clients(organisations: list[Draft], people: list[Draft]) -> list[Draft]:
    """Private clients, and the employers who rent for their staff and the developers whose flats are sold."""
    mine = [p for p in people if p.data.get("tags") and p.id is not None]
    return mine + [o for o in organisations if not o.stored.get("is_competitor") and o.data.get("tags") != "ипотека"]


BOOK = Book(((SALES, SALES_FEES, 0.6), (RENTALS, RENT_FEES, 0.4)), REASONS, NOTES, TASKS, lines, title, clients, route, DEALS_BY_SIZE,
            rivals=frozenset(names["ru"] for names, _weight in REASONS[:2]))
