"""Deals for the board, move and import measurements: one per contact, in one sales pipeline.

A sales team's open deals don't grow with its history, its closed ones do: half the deals are
open up to ``OPEN_CAP`` (the issue's "a pipeline with 10,000 open deals"), spread over the three
open stages, and the rest were won or lost over three years. Half the open deals have a task
ahead, which the board's cards show. Each deal has its creation's transition row, closed ones
their closing's too. Grows in place like benchmarks.data: ``grow(app, data, 100_000)`` after
10,000 adds the 90,000 missing deals.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import func, insert, select, text

from benchmarks.data import BATCH, SOURCES, Dataset, settle
from crmkit import db, statistics
from crmkit.core.activities.models import Activity
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Deal
from crmkit.entities.transitions import Transition, chained

OPEN_CAP = 10_000
OPEN_WEIGHTS = (50, 30, 20)
YEARS = 3


@dataclass
class DealSet:
    """The benchmark's pipeline and how many of its deals exist."""

    pipeline_id: int
    stages: dict[str, int]  # English stage name -> id
    reason_id: int
    deals: int = 0
    open: int = 0
    open_ids: list[int] = field(default_factory=list)  # a sample, for moves

    @property
    def open_stage_ids(self) -> list[int]:
        return [self.stages[name] for name in ("Qualification", "Proposal", "Negotiation")]


def deal_set(app: Flask, data: Dataset) -> DealSet:
    """The pipeline (made on first use), kept on the dataset between sizes."""
    found = getattr(data, "deal_set", None)
    if found is None:
        with app.app_context():
            session = db.session()
            pipeline = setup.create_pipeline(session, {"en": "Sales", "ru": "Продажи"})
            stages = {s.names["en"]: s.id for s in setup.stages_of(session, pipeline.id)}
            reason = setup.add_loss_reason(session, {"en": "Too expensive", "ru": "Дорого"})
            found = DealSet(pipeline.id, stages, reason.id)
        data.deal_set = found
    return found


def grow(app: Flask, data: Dataset, target: int, seed: int = 17, block: int = 50_000) -> DealSet:
    """Deals up to ``target``, ``block`` at a time; then fresh statistics, as after an import."""
    deals = deal_set(app, data)
    if deals.deals >= target:
        return deals
    while deals.deals < target:
        upto = min(target, deals.deals + block)
        opening = max(0, min(upto // 2, OPEN_CAP) - deals.open)
        with app.app_context():
            _add(db.session(), data, deals, upto, opening, random.Random(seed * 1_000_003 + deals.deals))
    with app.app_context():
        session = db.session()
        statistics.refresh(session.connection(), ["pipelines_deal", "pipelines_deal_total", "pipelines_funnel_stay",
                                                  "core_transition", "activity"])
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for table in ("pipelines_deal", "pipelines_deal_total", "pipelines_funnel_stay", "core_transition", "activity"):
                    # what autovacuum does after a bulk load, rather than while the first measurements run
                    connection.execute(text(f"VACUUM {table}"))
    settle(app)
    return deals


def _add(session, data: Dataset, deals: DealSet, upto: int, opening: int, rng: random.Random) -> None:
    highest = session.execute(select(func.max(Deal.id))).scalar() or 0
    now = datetime.now(UTC)  # the board counts closings back from today, so the year ends today
    count = upto - deals.deals
    open_at = set(rng.sample(range(count), opening))
    rows, closings = [], []
    for n in range(count):
        index = deals.deals + n
        owner = data.owner_ids[index % len(data.owner_ids)]
        created = now - timedelta(days=rng.uniform(0, 365 * YEARS))
        row = {
            "title": f"Поставка #{index}", "pipeline_id": deals.pipeline_id, "organization_id": 1 + index % max(1, data.organizations),
            "amount": Decimal(rng.randrange(100_000, 50_000_000, 1000)), "currency": "KZT", "probability": None,
            "expected_close_on": (created + timedelta(days=rng.choice((14, 30, 60, 90)))).date(),
            "source": SOURCES[index % (len(SOURCES) - 1)], "owner_id": owner, "created_by_id": owner,
            "created_at": created, "updated_at": created, "version": 1, "archived_at": None, "extra": {},
            "loss_reason_id": None, "loss_note": None, "description": None, "won_amount": None, "closed_at": None,
        }
        if n in open_at:
            stage = rng.choices(deals.open_stage_ids, OPEN_WEIGHTS)[0]
            entered = min(created + timedelta(days=rng.uniform(0, 20)), now - timedelta(minutes=5))
            row.update(stage_id=stage, stage_entered_at=entered)
        else:
            won = rng.random() < 0.4
            closed = min(created + timedelta(days=rng.uniform(1, 60)), now - timedelta(minutes=5))
            row.update(stage_id=deals.stages["Won" if won else "Lost"], stage_entered_at=closed, closed_at=closed,
                       won_amount=row["amount"] if won else None, loss_reason_id=None if won else deals.reason_id)
            closings.append(n)
        rows.append(row)
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Deal.__table__), rows[start : start + BATCH])
    ids = list(session.execute(select(Deal.id).where(Deal.id > highest).order_by(Deal.id)).scalars())
    first = deals.open_stage_ids[0]
    moves = [{"entity": "deal", "record_id": i, "field": "stage_id", "from_state": None, "to_state": str(first),
              "user_id": r["owner_id"], "at": r["created_at"]} for i, r in zip(ids, rows, strict=True)]
    moves += [{"entity": "deal", "record_id": ids[n], "field": "stage_id", "from_state": str(first),
               "to_state": str(rows[n]["stage_id"]), "user_id": rows[n]["owner_id"], "at": rows[n]["closed_at"]} for n in closings]
    moves = chained(moves)  # each stay's end and length, as the next move leaves them
    for start in range(0, len(moves), BATCH):
        session.execute(insert(Transition.__table__), moves[start : start + BATCH])
    tasks = [_task(rng, now, ids[n], rows[n]) for n in sorted(open_at) if rng.random() < 0.5]
    for start in range(0, len(tasks), BATCH):
        session.execute(insert(Activity.__table__), tasks[start : start + BATCH])
    session.commit()
    deals.deals, deals.open = upto, deals.open + opening
    deals.open_ids += [ids[n] for n in sorted(open_at)][: max(0, 200 - len(deals.open_ids))]


def _task(rng: random.Random, now: datetime, deal_id: int, deal: dict) -> dict:
    due = now + timedelta(days=rng.uniform(-5, 20))
    return {"kind": "task", "subject": f"Перезвонить по сделке #{deal_id}", "body": None, "about_entity": "deal",
            "about_id": deal_id, "happened_at": due, "ends_at": None, "direction": None, "our_address": None,
            "their_address": None, "duration_seconds": None, "outcome": None, "status": "open", "priority": "normal",
            "owner_id": deal["owner_id"], "created_by_id": deal["owner_id"], "created_at": deal["created_at"],
            "updated_at": deal["created_at"], "version": 1, "archived_at": None, "extra": {}}



def main(argv: list[str]) -> int:
    """``python -m benchmarks.deals PEOPLE [python -m benchmarks's arguments]``: the benchmarks with
    contacts grown to at most PEOPLE while deals grow to each size. The deal measurements read
    deals; filling a million contacts as well takes most of an hour on a shared machine. Their
    rows say how many contacts there were."""
    from benchmarks import __main__ as runner, data as contacts

    cap = runner.size_of(argv[0])
    grow_contacts = contacts.grow
    contacts.grow = lambda app, dataset, people, **options: grow_contacts(app, dataset, min(people, cap), **options)
    return runner.main(argv[1:])


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
