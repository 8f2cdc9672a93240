"""The kept deal totals (pipelines_deal_total): after any sequence of writes, by any path (Records,
a bulk UPDATE, a DELETE), they equal a fresh sum over the deals; the board's column totals read
from them equal the ones summed from the deals, for every user and filter; the migration makes
the rows of deals that existed before it."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, insert, select, update

from crmkit import db
from crmkit.core.access.models import Department
from crmkit.core.pipelines import board_data, totals
from crmkit.core.pipelines.models import Deal, Pipeline, Stage
from crmkit.migrate import upgrade
from tests.people import matrix_staff
from tests.pipelining import acting_as, new_pipeline, new_reason, user_by_email

STAFF = ("admin", "boss", "north", "support")
CURRENCIES = ("KZT", "USD")


@pytest.fixture
def world(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    matrix_staff(app)
    return app, new_pipeline(app), new_reason(app)


def expected_buckets(session) -> dict[tuple, tuple]:
    """What the table must hold, summed here in Python from the deals, in Decimal."""
    found: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0), Decimal(0)])
    for deal in session.execute(select(Deal).where(Deal.archived_at.is_(None))).scalars():
        day = totals.day_of(deal.closed_at) if deal.closed_at else 0
        bucket = found[(deal.stage_id, day, deal.owner_id or 0, deal.currency)]
        amount = Decimal(str(deal.amount)) if deal.amount is not None else Decimal(0)
        bucket[0] += 1
        bucket[1] += deal.amount is not None
        bucket[2] += amount
        bucket[3] += amount if deal.probability is None else 0
        bucket[4] += amount * (deal.probability or 0)
    return {key: (b[0], b[1], int(b[2] * 100), int(b[3] * 100), int(b[4] * 100)) for key, b in found.items()}


def kept_buckets(session) -> dict[tuple, tuple]:
    rows = session.execute(select(totals.DealTotal)).scalars()
    found = {(r.stage_id, r.day, r.owner_id, r.currency): (r.deals, r.amounts, r.amount, r.unweighted, r.weighted) for r in rows}
    assert all(values == (0, 0, 0, 0, 0) for key, values in found.items() if values[0] == 0), "an empty bucket holds money"
    return {key: values for key, values in found.items() if values[0] != 0}


def random_writes(app, ids: dict, reason: int, rng: random.Random, steps: int) -> None:
    """Creates, moves (won, lost, reopened), amount, probability and currency changes, new owners,
    archives, restores, deletes and bulk UPDATEs of the closing time, in random order."""
    open_stages = [ids["Qualification"], ids["Proposal"], ids["Negotiation"]]
    with acting_as(app, "admin@example.com") as records:
        owners = [user_by_email(records.db, f"{who}@example.com").id for who in STAFF]
        made: list[int] = []
        for _ in range(steps):
            action = rng.choice(("create", "create", "move", "move", "close", "amount", "owner", "archive", "delete", "bulk"))
            if action == "create" or not made:
                deal = records.create({"title": "Random", "pipeline_id": ids["pipeline"], "currency": rng.choice(CURRENCIES),
                                       "amount": str(Decimal(rng.randrange(0, 10**9)) / 100) if rng.random() < 0.8 else None,
                                       "probability": rng.choice((None, None, 0, 35, 100))})
                made.append(deal.id)
                continue
            deal = records.db.get(Deal, rng.choice(made))
            if deal is None:
                continue
            if action == "move":
                records.update(deal, {"stage_id": rng.choice(open_stages)}, version=deal.version)
            elif action == "close":
                lost = rng.random() < 0.5
                values = {"stage_id": ids["Lost" if lost else "Won"]} | ({"loss_reason_id": reason} if lost else {})
                records.update(deal, values, version=deal.version)
            elif action == "amount":
                values = {"amount": str(Decimal(rng.randrange(0, 10**11)) / 100), "currency": rng.choice(CURRENCIES),
                          "probability": rng.choice((None, 10, 90))}
                records.update(deal, values, version=deal.version)
            elif action == "owner":
                records.assign_owner(deal, rng.choice(owners))
            elif action == "archive":
                records.archive(deal) if deal.archived_at is None else records.restore(deal)
            elif action == "delete":
                records.db.execute(delete(Deal).where(Deal.id == deal.id))
                records.db.commit()
                made.remove(deal.id)
            else:  # a bulk UPDATE, as the import's closing of deals does: closed some days ago
                back = datetime.now(UTC) - timedelta(days=rng.randrange(0, 60), hours=rng.randrange(24))
                records.db.execute(update(Deal).where(Deal.id.in_(rng.sample(made, min(3, len(made)))), Deal.closed_at.is_not(None))
                                   .values(closed_at=back))
                records.db.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_writes_the_kept_totals_equal_a_fresh_sum_over_the_deals(world, seed):
    app, ids, reason = world
    random_writes(app, ids, reason, random.Random(seed), steps=70)
    with app.app_context():
        session = db.session()
        assert kept_buckets(session) == expected_buckets(session)


def test_rebuild_makes_the_same_rows_the_triggers_kept(world):
    app, ids, reason = world
    random_writes(app, ids, reason, random.Random(7), steps=40)
    with app.app_context():
        session = db.session()
        before = kept_buckets(session)
        totals.rebuild(session)
        session.commit()
        assert kept_buckets(session) == before != {}


def close_at(app, deal_ids: list[int], moments: list[datetime]) -> None:
    with app.app_context():
        session = db.session()
        for deal_id, moment in zip(deal_ids, moments, strict=True):
            session.execute(update(Deal).where(Deal.id == deal_id).values(closed_at=moment))
        session.commit()


@pytest.mark.parametrize("who", STAFF)
def test_the_boards_totals_from_the_kept_rows_equal_those_summed_from_the_deals(world, who):
    """For each user (own, department, all) and each filter, closings on both sides of the window's
    first moment and inside its first day, which the kept days don't split."""
    app, ids, reason = world
    random_writes(app, ids, reason, random.Random(11), steps=80)
    now = datetime.now(UTC)
    since = now - timedelta(days=board_data.CLOSED_DAYS)
    with app.app_context():
        closed = list(db.session().execute(select(Deal.id).where(Deal.closed_at.is_not(None))).scalars())
    edges = [since - timedelta(minutes=1), since + timedelta(minutes=1), since - timedelta(days=1),
             totals.day_start(totals.day_of(since) + 1) - timedelta(microseconds=1), now - timedelta(hours=2)]
    close_at(app, closed[: len(edges)], edges[: len(closed)])
    with acting_as(app, f"{who}@example.com") as records:
        session = records.db
        departments = {d: session.execute(select(Department.id).where(Department.name == d)).scalar_one()
                       for d in ("Sales", "Support")}
        stages = board_data.stages_of(session, session.get(Pipeline, ids["pipeline"]))
        owner = user_by_email(session, "north@example.com").id
        for filters in (board_data.Filters(), board_data.Filters(owner_id=owner),
                        board_data.Filters(department_id=departments["Sales"]), board_data.Filters(department_id=departments["Support"])):
            kept = board_data.totals(records, stages, filters, since)
            live = board_data.columns_of(stages, board_data.live_sums(
                records, filters, [s.id for s in stages if s.kind == "open"], [s.id for s in stages if s.kind != "open"], since))
            assert kept == live, filters
        assert any(count for count, _, _ in kept.values()) or who != "admin"


def test_the_migration_makes_the_rows_of_the_deals_that_existed(make_app):
    app = make_app(DEFAULT_LOCALE="en", migrate=False)
    engine = db.engine_of(app)
    core = app.extensions["crmkit"].lineages[0]
    upgrade(engine, core, "a7b8c9d0e1f2")
    now = datetime.now(UTC)
    with engine.begin() as connection:
        pipeline = connection.execute(insert(Pipeline.__table__).values(names={"en": "Old"}, position=0, currency="KZT",
                                                                        created_at=now)).inserted_primary_key[0]
        stages = [connection.execute(insert(Stage.__table__).values(pipeline_id=pipeline, names={"en": kind}, position=n, kind=kind,
                                                                    probability=20, color="#000000")).inserted_primary_key[0]
                  for n, kind in enumerate(("open", "won"))]
        rows = [{"title": f"Old {n}", "pipeline_id": pipeline, "stage_id": stages[n % 2], "amount": Decimal("100.05") * n,
                 "currency": "KZT", "probability": (None, 40)[n % 2], "stage_entered_at": now, "created_at": now,
                 "updated_at": now, "version": 1, "extra": {}, "closed_at": now - timedelta(days=n) if n % 2 else None,
                 "archived_at": now if n == 4 else None} for n in range(9)]
        connection.execute(insert(Deal.__table__), rows)
    upgrade(engine, core)
    with app.app_context():
        session = db.session()
        assert kept_buckets(session) == expected_buckets(session)
        assert sum(values[0] for values in kept_buckets(session).values()) == 8


def test_postgresql_never_sends_parallel_workers_to_read_the_kept_totals(app):
    """A board reads a few hundred of its rows; two workers' start-up cost more than the read."""
    with app.app_context():
        connection = db.session().connection()
        if connection.dialect.name != "postgresql":
            pytest.skip("SQLite has no parallel plans")
        options = connection.exec_driver_sql(
            "SELECT reloptions FROM pg_class WHERE oid = 'pipelines_deal_total'::regclass").scalar()
    assert "parallel_workers=0" in (options or [])
