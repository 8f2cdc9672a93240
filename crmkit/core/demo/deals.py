"""The demo company's year of deals: a sales pipeline for building materials and a rental pipeline
for equipment, each deal moving through the stages at working hours, won or lost (with a reason
and, now and then, the competitor who took it), priced by line items from a demo price list.

Written as the app writes them: each deal through the deal schema (``writer.Writer``), its moves
as ``core_transition`` rows (from, to, who, when, and when each stay ended: what "time in each stage" reads), its lines, its
competitors and its people beside it, and a next task for most open deals. One ``random.Random``
seeded from the demo's seed makes the same year every time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from crmkit.core.demo import words as w
from crmkit.core.demo.clock import Clock
from crmkit.core.demo.company import Draft, Seller
from crmkit.core.demo.diary import Contact, Diary
from crmkit.core.demo.writer import Writer, split
from crmkit.core.pipelines import money, names
from crmkit.core.pipelines.models import DealCompetitor, DealPerson, LineItem, LossReason, Pipeline, PriceItem, Stage
from crmkit.entities.transitions import Transition, chained

DEALS_BY_SIZE = {"small": 120, "medium": 1200, "large": 12000}
RENTAL_SHARE = 0.3
VAT = Decimal("12")  # Kazakhstan's VAT rate

# names, probability, kind, colour, rot days, mean working days a deal spends there, chance to move on
SALES = (
    {"ru": "Продажи", "kk": "Сатылым", "en": "Sales"},
    (({"ru": "Квалификация", "kk": "Біліктілік", "en": "Qualification"}, 10, "open", "#60a5fa", 14, 6, 0.75),
     ({"ru": "Коммерческое предложение", "kk": "Коммерциялық ұсыныс", "en": "Proposal"}, 40, "open", "#a78bfa", 14, 9, 0.65),
     ({"ru": "Переговоры", "kk": "Келіссөз", "en": "Negotiation"}, 70, "open", "#f59e0b", 7, 12, 0.6),
     ({"ru": "Выиграна", "kk": "Сәтті", "en": "Won"}, 100, "won", "#16a34a", None, 0, 0),
     ({"ru": "Проиграна", "kk": "Сәтсіз", "en": "Lost"}, 0, "lost", "#dc2626", None, 0, 0)),
)
RENTAL = (
    {"ru": "Аренда техники", "kk": "Техника жалға беру", "en": "Equipment rental"},
    (({"ru": "Заявка", "kk": "Өтінім", "en": "Request"}, 20, "open", "#38bdf8", 5, 2, 0.8),
     ({"ru": "Осмотр объекта", "kk": "Нысанды қарау", "en": "Site visit"}, 50, "open", "#818cf8", 7, 4, 0.7),
     ({"ru": "Договор", "kk": "Шарт", "en": "Contract"}, 80, "open", "#fbbf24", 5, 5, 0.8),
     ({"ru": "Сдано в аренду", "kk": "Жалға берілді", "en": "Rented out"}, 100, "won", "#16a34a", None, 0, 0),
     ({"ru": "Отказ", "kk": "Бас тарту", "en": "Declined"}, 0, "lost", "#dc2626", None, 0, 0)),
)
# names, weight; the second is the one that names a competitor
LOSS_REASONS = (
    ({"ru": "Дорого", "kk": "Қымбат", "en": "Too expensive"}, 30),
    ({"ru": "Выбрали конкурента", "kk": "Бәсекелесті таңдады", "en": "Chose a competitor"}, 30),
    ({"ru": "Нет бюджета", "kk": "Бюджет жоқ", "en": "No budget"}, 15),
    ({"ru": "Не подошли сроки", "kk": "Мерзімі сәйкес келмеді", "en": "Timing did not suit"}, 15),
    ({"ru": "Перестал отвечать", "kk": "Жауап бермей кетті", "en": "Stopped answering"}, 10),
)
COMPETITOR_REASONS = frozenset({LOSS_REASONS[1][0]["ru"]})
# name, unit, price in tenge, the quantities people order
SALES_PRICES = (
    ("Цемент М500, мешок 50 кг", "мешок", "2850", (40, 100, 200, 500)),
    ("Сухая смесь штукатурная, 25 кг", "мешок", "2100", (20, 50, 120)),
    ("Профнастил С-21, 0,5 мм", "м²", "3950", (50, 150, 400)),
    ("Утеплитель минвата 100 мм", "м²", "1780", (60, 200, 600)),
    ("Сэндвич-панель стеновая 150 мм", "м²", "14900", (30, 120, 300)),
    ("Арматура А500С 12 мм", "т", "389000", (1, 3, 8)),
    ("Фасадная кассета, оцинковка", "м²", "8700", (40, 100, 250)),
)
RENTAL_PRICES = (
    ("Аренда мини-экскаватора", "смена", "65000", (3, 10, 20)),
    ("Аренда строительных лесов", "м² в месяц", "450", (200, 500, 1200)),
    ("Аренда опалубки перекрытий", "м² в месяц", "900", (150, 400, 800)),
    ("Аренда виброплиты", "сутки", "9000", (5, 14, 30)),
    ("Доставка техники", "рейс", "35000", (1, 2, 4)),
)
NOTES = ("Выбрали поставщика с отсрочкой платежа", "Объект заморожен до весны", "Цена выше рынка на 8%",
         "Заказчик ушёл к прежнему подрядчику", None, None)
TASKS = ("Перезвонить по коммерческому предложению", "Отправить договор на согласование", "Согласовать график поставки",
         "Уточнить объём на объекте", "Выставить счёт на предоплату")


@dataclass
class Setup:
    """A demo pipeline as stored: its id, its stages in order and the price items it sells."""

    id: int
    stages: list[tuple[Stage, int, float]]  # stage, mean days there, chance to move on
    prices: list[tuple[PriceItem, tuple[int, ...]]]
    won: Stage | None = None
    lost: Stage | None = None
    open: list[tuple[Stage, int, float]] = field(default_factory=list)


@dataclass(frozen=True)
class Book:
    """What a profile's deals are: its pipelines (spec, prices, share), reasons to lose, texts, and how a
    deal is priced and titled; ``clients`` picks who the deals are with (organisations or people)."""

    pipelines: tuple
    reasons: tuple = LOSS_REASONS
    notes: tuple = NOTES
    tasks: tuple = TASKS
    lines: Callable[..., list[dict[str, Any]]] | None = None  # (rng, setup, client) -> lines; None: from the price list
    title: Callable[..., str] | None = None  # (rng, setup, lines, client) -> title
    clients: Callable[..., list[Draft]] | None = None  # (organisations, people) -> clients; None: the buying organisations
    route: Callable[[Draft], int] | None = None  # a client's pipeline (its index); None: by the shares
    sizes: dict[str, int] = field(default_factory=lambda: DEALS_BY_SIZE)  # how many deals, by the demo's size
    rivals: frozenset = COMPETITOR_REASONS  # the reasons (their ru names) that always name a competitor


TRADING = Book(((SALES, SALES_PRICES, 1 - RENTAL_SHARE), (RENTAL, RENTAL_PRICES, RENTAL_SHARE)))


def write_deals(db: Session, writer: Writer, seed: int, today, organisations: list[Draft], people: list[Draft],
                size: str, book: Book = TRADING, words=None) -> list[Planned]:
    """A year of deals with the clients, their moves, lines, competitors and next tasks."""
    rng = random.Random(f"{seed}:deals")
    clock = Clock(rng, today)
    reasons = loss_reasons(db, book.reasons)
    pipelines = [pipeline(db, spec, prices) for spec, prices, _share in book.pipelines]
    shares = [share for _spec, _prices, share in book.pipelines]
    names.forget()  # the deal schema's choices read the stages made just now
    if book.clients is None:
        clients = [o for o in organisations if not o.stored.get("is_competitor") and o.id is not None]
    else:
        clients = book.clients(organisations, people)
    competitors = [o.id for o in organisations if o.stored.get("is_competitor")]
    staff = {p.parent: p for p in people if p.parent is not None}
    deals = []
    for _ in range(book.sizes[size]):
        if book.route is None:
            setup, client = rng.choices(pipelines, shares)[0], rng.choice(clients)
        else:
            client = rng.choice(clients)
            setup = pipelines[book.route(client)]
        deals.append(plan(rng, clock, setup, client, reasons, competitors, book))
    deals.sort(key=lambda d: d.created)
    written = writer.write("deal", ((d.data, d.columns()) for d in deals))
    for deal, (deal_id, _row) in zip(deals, written, strict=True):
        deal.id = deal_id
    index = {id(o): n for n, o in enumerate(organisations)}
    rows_of(db, deals, staff, index)
    diary = Diary(rng, clock) if words is None else Diary(rng, clock, words)
    next_tasks(writer, diary, [d for d in deals if d.closed is None], clock, book.tasks)
    return deals


@dataclass
class Planned:
    """One deal before it is written: its input, who owns it, and its moves (stage, when)."""

    data: dict[str, Any]
    owner: Seller
    organisation: Draft
    created: datetime
    moves: list[tuple[Stage, datetime]]
    lines: list[dict[str, Any]]
    competitors: list[int]
    closed: datetime | None = None
    won_amount: Decimal | None = None
    id: int | None = None

    def columns(self) -> dict[str, Any]:
        last = self.moves[-1][1]
        return {"owner_id": self.owner.id, "created_by_id": self.owner.id, "created_at": self.created,
                "updated_at": last, "stage_entered_at": last, "closed_at": self.closed, "won_amount": self.won_amount}


def plan(rng: random.Random, clock: Clock, setup: Setup, buyer: Draft, reasons: list[tuple[LossReason, int]],
         competitors: list[int], book: Book = TRADING) -> Planned:
    """A deal's way through the pipeline: each open stage for some working days, then on, or lost."""
    created_day = clock.working_day(min(max(buyer.created_day, -365), -1), -1)
    created = clock.working_time(created_day)
    moves, day, outcome = [(setup.open[0][0], created)], created_day, None
    for position, (_stage, mean_days, onward) in enumerate(setup.open):
        day += max(1, round(rng.expovariate(1 / mean_days)))
        if day >= 0:
            break  # still here today
        if rng.random() > onward:
            outcome = "lost"
        elif position == len(setup.open) - 1:
            outcome = "won"
        target = setup.open[position + 1][0] if outcome is None else setup.won if outcome == "won" else setup.lost
        moves.append((target, after(clock, day, moves[-1][1])))
        if outcome:
            break
    lines = line_items(rng, setup) if book.lines is None else book.lines(rng, setup, buyer)
    amount = money.totals(SimpleLine(line) for line in lines).total
    data = {
        "title": title(setup, lines, buyer) if book.title is None else book.title(rng, setup, lines, buyer),
        "pipeline_id": setup.id, "stage_id": moves[-1][0].id,
        "organization_id": buyer.id if "legal_name" in buyer.data else buyer.data.get("organization_id"), "amount": str(amount), "currency": "KZT",
        "expected_close_on": (created + timedelta(days=rng.choice((14, 30, 45, 60, 90)))).date(),
        "source": buyer.stored.get("source") or rng.choices(w.SOURCES, w.SOURCE_WEIGHTS)[0],
    }
    if rng.random() < 0.1:
        data["probability"] = rng.choice((25, 50, 75, 90))
    chosen: list[int] = []
    if outcome == "lost":
        reason, _weight = rng.choices(reasons, [weight for _r, weight in reasons])[0]
        data["loss_reason_id"] = reason.id
        if (note := rng.choice(book.notes)) is not None:
            data["loss_note"] = note
        if competitors and (reason.names.get("ru") in book.rivals or rng.random() < 0.2):
            chosen = [rng.choice(competitors)]
    closed = moves[-1][1] if outcome else None
    return Planned(data, buyer.owner, buyer, created, moves, lines, chosen, closed, amount if outcome == "won" else None)


def after(clock: Clock, day: int, previous: datetime) -> datetime:
    """A moment in the working hours of ``day`` (a weekend gives the Friday), later than ``previous``."""
    moment = clock.working_time(clock.working_day(day, day))
    return moment if moment > previous else previous + timedelta(minutes=clock.rng.randint(20, 240))


@dataclass(frozen=True)
class SimpleLine:
    """A planned line as money.totals reads one."""

    line: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        return self.line[name]


def line_items(rng: random.Random, setup: Setup) -> list[dict[str, Any]]:
    chosen = rng.sample(setup.prices, k=min(len(setup.prices), rng.choice((1, 1, 2, 2, 3, 4))))
    return [{"price_item_id": item.id, "position": n, "name": item.name, "unit": item.unit,
             "quantity": Decimal(rng.choice(quantities)), "price": item.price,
             "discount_percent": Decimal(rng.choice((0, 0, 0, 3, 5, 10))), "vat_rate": item.vat_rate}
            for n, (item, quantities) in enumerate(chosen)]


def title(setup: Setup, lines: list[dict[str, Any]], buyer: Draft) -> str:
    product = lines[0]["name"].split(",")[0]
    return f"{product} — {buyer.stored['name']}"[:200]


def rows_of(db: Session, deals: list[Planned], staff: dict[int, Draft], index: dict[int, int]) -> None:
    """Each deal's moves, lines, competitors and contact person, a multi-row INSERT each."""
    transitions, lines, rivals, people = [], [], [], []
    for deal in deals:
        previous = None
        for stage, at in deal.moves:
            transitions.append({"entity": "deal", "record_id": deal.id, "field": "stage_id", "from_state": previous,
                                "to_state": str(stage.id), "user_id": deal.owner.id, "at": at})
            previous = str(stage.id)
        lines += [{**line, "deal_id": deal.id} for line in deal.lines]
        rivals += [{"deal_id": deal.id, "organization_id": org_id} for org_id in deal.competitors]
        contact = deal.organisation if "legal_name" not in deal.organisation.data else staff.get(index.get(id(deal.organisation)))
        if contact is not None and contact.id is not None:
            people.append({"deal_id": deal.id, "person_id": contact.id, "role": "decision_maker"})
    for model, rows in ((Transition, chained(transitions)), (LineItem, lines), (DealCompetitor, rivals), (DealPerson, people)):
        if rows:
            db.execute(insert(model.__table__), rows)


def next_tasks(writer: Writer, diary: Diary, open_deals: list[Planned], clock: Clock, tasks: tuple = TASKS) -> None:
    """Most open deals have a task ahead: the next step the board shows on the card."""
    entity = writer.entity("activity")
    rows = []
    for deal in open_deals:
        if diary.rng.random() > 0.7:
            continue
        due = clock.working_time(clock.working_day(0, 10), step=15)
        contact = Contact("deal", deal.id, deal.data["title"], deal.owner, 0, None, None, None, 1.0)
        rows.append(diary.row("task", contact, deal.owner, due, deal.moves[-1][1], subject=diary.rng.choice(tasks),
                              status="open", priority="normal"))
    if rows:
        writer.write("activity", (split(entity, row) for row in rows))


# configuration: found by name when a demo was loaded before, else made
def pipeline(db: Session, spec, prices) -> Setup:
    pipeline_names, stages = spec
    found = db.execute(select(Pipeline)).scalars()
    made = next((p for p in found if p.names.get("ru") == pipeline_names["ru"]), None)
    if made is None:
        made = Pipeline(names=pipeline_names, position=len(db.execute(select(Pipeline.id)).all()), currency="KZT")
        db.add(made)
        db.flush()
        for position, (stage_names, probability, kind, color, rot_days, _days, _onward) in enumerate(stages):
            db.add(Stage(pipeline_id=made.id, names=stage_names, position=position, probability=probability, kind=kind,
                         color=color, rot_days=rot_days))
        db.flush()
    rows = {s.names.get("ru"): s for s in db.execute(select(Stage).where(Stage.pipeline_id == made.id)).scalars()}
    ordered = [(rows[names_["ru"]], days, onward) for names_, _p, _k, _c, _r, days, onward in stages]
    setup = Setup(made.id, ordered, price_items(db, prices))
    setup.open = [s for s in ordered if s[0].kind == "open"]
    setup.won = next(s for s, _d, _o in ordered if s.kind == "won")
    setup.lost = next(s for s, _d, _o in ordered if s.kind == "lost")
    return setup


def price_items(db: Session, prices) -> list[tuple[PriceItem, tuple[int, ...]]]:
    existing = {p.name: p for p in db.execute(select(PriceItem).where(PriceItem.name.in_([p[0] for p in prices]))).scalars()}
    found = []
    for name, unit, price, quantities in prices:
        item = existing.get(name)
        if item is None:
            item = PriceItem(name=name, unit=unit, price=Decimal(price), currency="KZT", vat_rate=VAT)
            db.add(item)
        found.append((item, quantities))
    db.flush()
    return found


def loss_reasons(db: Session, wanted=LOSS_REASONS) -> list[tuple[LossReason, int]]:
    existing = {r.names.get("ru"): r for r in db.execute(select(LossReason)).scalars()}
    found = []
    for position, (reason_names, weight) in enumerate(wanted):
        reason = existing.get(reason_names["ru"])
        if reason is None:
            reason = LossReason(names=reason_names, position=position)
            db.add(reason)
        found.append((reason, weight))
    db.flush()
    return found
