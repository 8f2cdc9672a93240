"""Seeded random histories of deals for the report tests: deals created in a stage and moved on,
skipped ahead, moved back, won, lost and reopened at explicit times (whole seconds), written
straight into pipelines_deal and core_transition as the workflow would have left them.

The same histories stay in Python (``World.deals``) so that every figure a report computes in SQL
can be computed again here by replaying them, independently.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from crmkit import db
from crmkit.core.access.models import Department, Office
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Deal, DealCompetitor
from crmkit.entities.transitions import Transition
from tests.conftest import add_user
from tests.people import PASSWORD

START = datetime(2026, 3, 1, tzinfo=UTC)
SPAN_DAYS = 120
OPEN_NAMES = ("Qualification", "Proposal", "Negotiation")
# who: (role, department); departments: Sales (office Almaty) > Sales North, Retail (office Astana)
STAFF = {"boss": ("manager", "Sales"), "north": ("agent", "Sales North"), "north2": ("agent", "Sales North"),
         "sales": ("agent", "Sales"), "retail": ("agent", "Retail"), "loner": ("agent", None)}


@dataclass
class Move:
    at: datetime
    id: int
    stage: int


@dataclass
class DealHistory:
    id: int
    owner: int
    pipeline: int
    created_at: datetime
    amount: Decimal | None
    currency: str
    source: str
    moves: list[Move] = field(default_factory=list)
    archived: bool = False
    won_amount: Decimal | None = None
    loss_reason: int | None = None
    competitors: list[int] = field(default_factory=list)

    @property
    def stage(self) -> int:
        return self.moves[-1].stage


@dataclass
class World:
    pipeline: int
    other_pipeline: int
    stages: dict[str, int]  # English name -> id, of ``pipeline``
    kinds: dict[int, str]  # stage id -> kind, of both pipelines
    users: dict[str, int]
    departments: dict[str, int]
    offices: dict[str, int]
    department_of: dict[int, int | None]  # user id -> department id
    office_of: dict[int, int | None]  # department id -> office id
    reasons: list[int]
    competitors: list[int]
    deals: list[DealHistory] = field(default_factory=list)

    @property
    def open_stages(self) -> list[int]:
        return [self.stages[name] for name in OPEN_NAMES]


def staff(app) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Two offices, three departments (Sales North under Sales) and ``STAFF``, as ``<who>@example.com``."""
    with app.app_context():
        session = db.session()
        almaty, astana = Office(name="Almaty"), Office(name="Astana")
        session.add_all([almaty, astana])
        session.flush()
        sales = Department(name="Sales", office_id=almaty.id)
        retail = Department(name="Retail", office_id=astana.id)
        session.add_all([sales, retail])
        session.flush()
        north = Department(name="Sales North", office_id=almaty.id, parent_id=sales.id)
        session.add(north)
        session.commit()
        departments = {"Sales": sales.id, "Sales North": north.id, "Retail": retail.id}
        offices = {"Almaty": almaty.id, "Astana": astana.id}
    users = {who: add_user(app, f"{who}@example.com", PASSWORD, role=role, name=who.title(),
                           department_id=departments.get(department)).id
             for who, (role, department) in STAFF.items()}
    return users, departments, offices


def build(app, seed: int, count: int = 80, admin_id: int | None = None) -> World:
    """``count`` deals of random histories over ``SPAN_DAYS`` from ``START``, in the pipeline
    "Sales" (and a few in "Service", which the funnel of Sales must leave out)."""
    users, departments, offices = staff(app)
    if admin_id is not None:
        users["admin"] = admin_id
    with app.app_context():
        session = db.session()
        sales = setup.create_pipeline(session, {"en": "Sales"})
        service = setup.create_pipeline(session, {"en": "Service"})
        stages = {s.names["en"]: s.id for s in setup.stages_of(session, sales.id)}
        kinds = {s.id: s.kind for p in (sales, service) for s in setup.stages_of(session, p.id)}
        reasons = [setup.add_loss_reason(session, {"en": name}).id for name in ("Price", "Timing", "Features")]
        rivals = [Organization(name=name, is_competitor=True, owner_id=users["boss"]) for name in ("Rival A", "Rival B")]
        session.add_all(rivals)
        session.commit()
        rows = session.execute(select(User.id, User.department_id)).all()
        department_of = {row.id: row.department_id for row in rows}
        office_of = {d.id: d.office_id for d in session.execute(select(Department)).scalars()}
        world = World(sales.id, service.id, stages, kinds, users, departments, offices, department_of, office_of,
                      reasons, [r.id for r in rivals])
        rng = random.Random(seed)
        service_stages = [s.id for s in setup.stages_of(session, service.id) if s.kind == "open"]
        for n in range(count):
            pipeline = service.id if n % 10 == 9 else sales.id
            world.deals.append(history(rng, world, n, pipeline, service_stages))
        write(session, world)
    return world


def history(rng: random.Random, world: World, n: int, pipeline: int, service_stages: list[int]) -> DealHistory:
    created = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
    amount = None if rng.random() < 0.1 else Decimal(rng.randrange(1_000, 5_000_000)) / 100
    deal = DealHistory(0, rng.choice(list(world.users.values())), pipeline, created, amount,
                       "USD" if rng.random() < 0.15 else "KZT", rng.choice(("web", "call", "referral")))
    deal.archived = rng.random() < 0.05
    opens = world.open_stages if pipeline == world.pipeline else service_stages
    won, lost = ((world.stages["Won"], world.stages["Lost"]) if pipeline == world.pipeline
                 else [s for s, k in world.kinds.items() if k in ("won", "lost") and s not in world.stages.values()])
    at = created
    stage = opens[0] if rng.random() < 0.8 else rng.choice(opens)  # some are created further on
    deal.moves.append(Move(at, 0, stage))
    for _step in range(rng.randrange(0, 7)):
        at += timedelta(seconds=rng.randrange(60, 20 * 86400))
        if stage in (won, lost):
            stage = rng.choice(opens)  # a reopen
        else:
            position = opens.index(stage)
            stage = rng.choice([*opens[position + 1:], *opens[:position], won, won, lost, lost])
        deal.moves.append(Move(at, 0, stage))
    closed = world.kinds[deal.stage]
    if closed == "won":
        deal.won_amount = deal.amount
    elif closed == "lost":
        deal.loss_reason = rng.choice(world.reasons)
        deal.competitors = sorted(rng.sample(world.competitors, rng.randrange(0, len(world.competitors) + 1)))
    return deal


def write(session, world: World) -> None:
    """The deals as the workflow leaves them: the last move's stage, its time, closing and amount."""
    for n, deal in enumerate(world.deals):
        last = deal.moves[-1]
        closed = world.kinds[last.stage] in ("won", "lost")
        deal.id = session.execute(insert(Deal.__table__).values(
            title=f"Deal {n}", pipeline_id=deal.pipeline, stage_id=last.stage, amount=deal.amount, currency=deal.currency,
            source=deal.source, owner_id=deal.owner, created_by_id=deal.owner, created_at=deal.created_at,
            updated_at=last.at, version=1, extra={}, stage_entered_at=last.at, closed_at=last.at if closed else None,
            won_amount=deal.won_amount, loss_reason_id=deal.loss_reason,
            archived_at=last.at + timedelta(days=1) if deal.archived else None,
        ).returning(Deal.__table__.c.id)).scalar_one()
        previous = None
        for move, then in zip(deal.moves, [*deal.moves[1:], None], strict=True):
            left_at = then.at if then is not None else None
            move.id = session.execute(insert(Transition.__table__).values(
                entity="deal", record_id=deal.id, field="stage_id", from_state=previous, to_state=str(move.stage),
                user_id=deal.owner, at=move.at, left_at=left_at,
                seconds=None if left_at is None else round((left_at - move.at).total_seconds()),
            ).returning(Transition.__table__.c.id)).scalar_one()
            previous = str(move.stage)
        for organization in deal.competitors:
            session.execute(insert(DealCompetitor.__table__).values(deal_id=deal.id, organization_id=organization))
    session.commit()
