"""The funnel's kept stays (pipelines_funnel_stay) and the kept won amounts (pipelines_deal_total.won):
after any sequence of writes, by any path (Records, a raw UPDATE, a DELETE, a merge of one deal's
history into another), they equal what the stage history and the deals say; the rebuild makes the
same rows; the migration copies the history that existed."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, insert, select, update

from crmkit import db
from crmkit.core.pipelines import totals
from crmkit.core.pipelines.models import Deal, Pipeline, Stage
from crmkit.core.pipelines.reports import stays
from crmkit.entities.transitions import Transition
from crmkit.migrate import upgrade
from tests.people import matrix_staff
from tests.pipelining import acting_as, new_pipeline, new_reason, user_by_email
from tests.test_pipelines_totals import random_writes

SOURCES = (None, "website", "cold_call")


@pytest.fixture
def world(make_app):
    app = make_app(DEFAULT_LOCALE="en")
    matrix_staff(app)
    return app, new_pipeline(app), new_reason(app)


def moment(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def cents(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def expected_stays(session) -> set[tuple]:
    """One row per move of an unarchived deal, made here in Python from the history and the deals."""
    deals = {d.id: d for d in session.execute(select(Deal).where(Deal.archived_at.is_(None))).scalars()}
    found = set()
    for move in session.execute(select(Transition).where(Transition.entity == "deal")).scalars():
        deal = deals.get(move.record_id)
        if deal is not None:
            won = cents(deal.won_amount)
            ended = None if move.left_at is None else moment(move.left_at)
            found.add((move.id, deal.id, deal.pipeline_id, int(move.to_state), deal.owner_id, deal.source, moment(move.at),
                       move.seconds, moment(deal.created_at), won, deal.currency, ended, cents(deal.amount)))
    return found


def kept_stays(session) -> set[tuple]:
    found = set()
    for row in session.execute(select(stays.FunnelStay)).scalars():
        won = cents(row.won_amount)
        ended = None if row.left_at is None else moment(row.left_at)
        found.add((row.id, row.deal_id, row.pipeline_id, row.stage_id, row.owner_id, row.source, moment(row.at), row.seconds,
                   moment(row.created_at), won, row.currency, ended, cents(row.amount)))
    return found


def more_writes(app, rng: random.Random, steps: int) -> None:
    """Sources and amounts changed, owners set by raw SQL, and merges: the merged deal's history
    moved onto the kept one (its stays with it), the merged deal deleted."""
    with acting_as(app, "admin@example.com") as records:
        session = records.db
        owners = [user_by_email(session, f"{who}@example.com").id for who in ("admin", "boss", "north", "support")]
        for _ in range(steps):
            made = list(session.execute(select(Deal.id).order_by(Deal.id)).scalars())
            if len(made) < 2:
                return
            action = rng.choice(("source", "amount", "owner", "merge"))
            if action == "source":
                deal = session.get(Deal, rng.choice(made))
                records.update(deal, {"source": rng.choice(SOURCES)}, version=deal.version)
            elif action == "amount":
                deal = session.get(Deal, rng.choice(made))
                records.update(deal, {"amount": rng.choice((None, "1500.25", "99000"))}, version=deal.version)
            elif action == "owner":
                session.execute(update(Deal).where(Deal.id == rng.choice(made)).values(owner_id=rng.choice(owners)))
                session.commit()
            else:
                kept, merged = rng.sample(made, 2)
                session.execute(update(Transition).where(Transition.entity == "deal", Transition.record_id == merged)
                                .values(record_id=kept))
                session.execute(delete(Deal).where(Deal.id == merged))
                session.commit()


@pytest.mark.parametrize("seed", [1, 2])
def test_after_random_moves_reopenings_deletions_and_merges_the_kept_stays_equal_the_history(world, seed):
    app, ids, reason = world
    rng = random.Random(seed)
    random_writes(app, ids, reason, rng, steps=50)
    more_writes(app, rng, steps=12)
    random_writes(app, ids, reason, rng, steps=30)
    with app.app_context():
        session = db.session()
        kept = kept_stays(session)
        assert kept == expected_stays(session)
        assert any(row[7] is not None and row[11] is not None for row in kept)  # ended stays among them
        assert any(row[12] is not None for row in kept)  # and amounts


def test_rebuilding_the_stays_makes_the_rows_the_triggers_kept(world):
    app, ids, reason = world
    random_writes(app, ids, reason, random.Random(5), steps=40)
    with app.app_context():
        session = db.session()
        before = kept_stays(session)
        stays.rebuild(session)
        session.commit()
        assert kept_stays(session) == before != set()


def won_by_bucket(session, kept: bool) -> dict[tuple, int]:
    """Won cents per (stage, day, owner, currency): from the kept totals, or summed from the deals."""
    found: dict[tuple, int] = defaultdict(int)
    if kept:
        for row in session.execute(select(totals.DealTotal)).scalars():
            found[(row.stage_id, row.day, row.owner_id, row.currency)] += row.won
    else:
        for deal in session.execute(select(Deal).where(Deal.archived_at.is_(None))).scalars():
            day = totals.day_of(deal.closed_at) if deal.closed_at else 0
            found[(deal.stage_id, day, deal.owner_id or 0, deal.currency)] += int(Decimal(str(deal.won_amount or 0)) * 100)
    return {key: cents for key, cents in found.items() if cents}


def win_some(app, ids: dict, count: int) -> None:
    """Deals with an amount won (their final amount is their amount), then the first one's owner changed."""
    with acting_as(app, "admin@example.com") as records:
        won = [records.create({"title": f"Won {n}", "pipeline_id": ids["pipeline"], "amount": f"{1000 + n}.15"}) for n in range(count)]
        for deal in won:
            records.update(deal, {"stage_id": ids["Won"]}, version=deal.version)
        records.assign_owner(won[0], user_by_email(records.db, "north@example.com").id)


@pytest.mark.parametrize("seed", [3, 4])
def test_after_random_writes_the_kept_won_amounts_equal_a_sum_over_the_deals(world, seed):
    app, ids, reason = world
    rng = random.Random(seed)
    win_some(app, ids, 3)
    random_writes(app, ids, reason, rng, steps=60)
    more_writes(app, rng, steps=8)
    with app.app_context():
        session = db.session()
        assert won_by_bucket(session, kept=True) == won_by_bucket(session, kept=False) != {}


def test_the_migration_copies_the_history_and_the_won_amounts_that_existed(make_app):
    app = make_app(DEFAULT_LOCALE="en", migrate=False)
    engine = db.engine_of(app)
    core = app.extensions["crmkit"].lineages[0]
    upgrade(engine, core, "a0b1c2d3e4f5")
    now = datetime.now(UTC).replace(microsecond=0)
    with engine.begin() as connection:
        pipeline = connection.execute(insert(Pipeline.__table__).values(names={"en": "Old"}, position=0, currency="KZT",
                                                                        created_at=now)).inserted_primary_key[0]
        stages = [connection.execute(insert(Stage.__table__).values(pipeline_id=pipeline, names={"en": kind}, position=n, kind=kind,
                                                                    probability=20, color="#000000")).inserted_primary_key[0]
                  for n, kind in enumerate(("open", "won"))]
        rows = [{"title": f"Old {n}", "pipeline_id": pipeline, "stage_id": stages[1], "amount": Decimal("100.05") * n,
                 "won_amount": Decimal("99.95") * n, "currency": "KZT", "stage_entered_at": now, "created_at": now - timedelta(days=9),
                 "updated_at": now, "version": 1, "extra": {}, "closed_at": now - timedelta(days=n),
                 "archived_at": now if n == 2 else None} for n in range(4)]
        deal_ids = [connection.execute(insert(Deal.__table__).values(row)).inserted_primary_key[0] for row in rows]
        connection.execute(insert(Transition.__table__), [
            {"entity": "deal", "record_id": deal_id, "field": "stage_id", "from_state": source, "to_state": str(target),
             "at": at, "left_at": ended, "seconds": None if ended is None else int((ended - at).total_seconds())}
            for deal_id in deal_ids
            for source, target, at, ended in ((None, stages[0], now - timedelta(days=9), now - timedelta(days=8)),
                                              (str(stages[0]), stages[1], now - timedelta(days=8), None))])
    upgrade(engine, core)
    with app.app_context():
        session = db.session()
        assert kept_stays(session) == expected_stays(session)
        assert len(kept_stays(session)) == 6  # three unarchived deals, two moves each
        assert won_by_bucket(session, kept=True) == won_by_bucket(session, kept=False) != {}


def live_won(session, period, currency: str) -> dict[int, tuple[Decimal, int]]:
    """Won amounts and counts per owner summed straight from the deals closed in the period."""
    from crmkit.core.targets import plan

    query = (select(Deal.owner_id, func.sum(Deal.won_amount), func.count()).join(Stage, Stage.id == Deal.stage_id)
             .where(*plan.won_conditions(period, currency, lambda column: [])).group_by(Deal.owner_id))
    return {owner: (plan.cents(total), count) for owner, total, count in session.execute(query)}


def test_plan_and_facts_won_amounts_from_the_kept_days_equal_the_deals_for_any_period(world):
    """Whole kept days plus the cut days at both ends: periods in a +5 h zone, shorter than a day,
    open at either end; closings moved onto the period's edges."""
    from crmkit.core.targets import plan

    app, ids, reason = world
    win_some(app, ids, 6)
    random_writes(app, ids, reason, random.Random(9), steps=40)
    now = datetime.now(UTC).replace(microsecond=0)
    start = datetime.combine(now.date() - timedelta(days=20), datetime.min.time(), UTC) - timedelta(hours=5)
    end = start + timedelta(days=15)
    with app.app_context():
        session = db.session()
        won = list(session.execute(select(Deal.id).join(Stage, Stage.id == Deal.stage_id).where(Stage.kind == "won")).scalars())
        for deal_id, at in zip(won, (start, start - timedelta(seconds=1), end - timedelta(seconds=1), end,
                                     start + timedelta(days=3, hours=2), start + timedelta(hours=1)), strict=False):
            session.execute(update(Deal).where(Deal.id == deal_id).values(closed_at=at))
        session.commit()
        periods = [(start, end), (start, start + timedelta(hours=3)), (None, end), (start, None), (None, None),
                   (totals.day_start(totals.day_of(start) + 1), totals.day_start(totals.day_of(end)))]
        for low, high in periods:
            period = plan.Period(low, high, None, None)
            assert plan.won_by_owner(session, period, "KZT", lambda column: []) == live_won(session, period, "KZT"), (low, high)
        assert live_won(session, plan.Period(start, end, None, None), "KZT") != {}


def test_the_rebuild_command_makes_the_kept_rows_lost_to_a_raw_delete_again(world):
    app, ids, reason = world
    win_some(app, ids, 2)
    with app.app_context():
        session = db.session()
        before = kept_stays(session), won_by_bucket(session, kept=True)
        session.execute(delete(stays.FunnelStay))
        session.execute(delete(totals.DealTotal))
        session.commit()
    result = app.test_cli_runner().invoke(args=["pipelines", "rebuild-totals"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        session = db.session()
        assert (kept_stays(session), won_by_bucket(session, kept=True)) == before


def test_the_hand_written_sql_the_benchmarks_time_gives_plan_and_facts_won_figures(world):
    from flask import current_app
    from sqlalchemy import DateTime, text

    from crmkit.core.targets import plan, report
    from crmkit.reports.context import Context

    app, ids, reason = world
    win_some(app, ids, 4)
    random_writes(app, ids, reason, random.Random(13), steps=30)
    with app.test_request_context():
        session = db.session()
        user = user_by_email(session, "admin@example.com")
        ctx = Context.build(current_app.extensions["crmkit.reports"].get("plan_fact"), user, {"period": "this_year"}, session)
        statement, params = report.raw_sql(ctx)[0]
        process = DateTime(timezone=True).bind_processor(session.get_bind().dialect) or (lambda value: value)
        rows = session.execute(text(statement), {k: process(v) if isinstance(v, datetime) else v for k, v in params.items()})
        by_hand = {owner: ((Decimal(int(won)) / 100).quantize(Decimal("0.01")), int(count)) for owner, won, count in rows}
        assert plan.won_by_owner(session, report.period_of(ctx), report.currency(), lambda column: []) == by_hand != {}
