"""Each transition keeps when its stay ended (``left_at``) and how long it lasted (``seconds``):
whatever path moves a record (the service, an import) and whatever moves it makes, every row's
end is its record's next row's time, the last row stays open, a refused move leaves it open, and
the migration fills both on rows stored before it (tests/plugins/tickets declares the workflow)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.transfer.importer import Importer
from crmkit.entities import workflow
from crmkit.entities.errors import Conflict
from crmkit.entities.service import Records
from crmkit.entities.transitions import Transition
from crmkit.migrate import upgrade
from tests.conftest import add_user
from tests.plugins.tickets import hooks as tickets

KEY = "tickets.ticket"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[tickets], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    return app


@pytest.fixture
def clock(monkeypatch):
    """The time moves are stored at: a few minutes to a few days later at each move."""
    rng = random.Random(7)
    moments = [START]

    def now() -> datetime:
        moments.append(moments[-1] + timedelta(seconds=rng.randrange(60, 4 * 86400)))
        return moments[-1]

    monkeypatch.setattr(workflow, "utcnow", now)
    return moments


def records(app) -> Records:
    session = db.session()
    return Records(app.extensions["crmkit"].entities.get(KEY), session.get(User, 1), session)


def rows_by_record() -> dict[int, list[Transition]]:
    found: dict[int, list[Transition]] = {}
    for row in db.session().execute(select(Transition).order_by(Transition.record_id, Transition.at, Transition.id)).scalars():
        found.setdefault(row.record_id, []).append(row)
    return found


def assert_chained(found: dict[int, list[Transition]]) -> None:
    """Each row ends when its record's next row begins; the last one is the current stay."""
    for record_id, rows in found.items():
        for row, then in zip(rows, rows[1:], strict=False):
            assert (row.left_at, row.seconds) == (then.at, round((then.at - row.at).total_seconds())), record_id
        assert (rows[-1].left_at, rows[-1].seconds) == (None, None), record_id


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_after_random_moves_each_stay_ends_at_the_records_next_move(app, clock, seed):
    rng = random.Random(seed)
    with app.app_context():
        service = records(app)
        tickets_made = [service.create({"title": f"Ticket {n}", "status": rng.choice(["new", "in_progress"])})
                        for n in range(6)]
        moves = 0
        for _ in range(60):
            ticket = rng.choice(tickets_made)
            targets = [state.key for state in workflow.allowed_targets(service.entity, service.db, ticket)]
            if not targets:
                continue
            service.update(ticket, {"status": rng.choice(targets), "resolution": "Done"}, version=ticket.version)
            moves += 1
        found = rows_by_record()
        assert sum(len(rows) for rows in found.values()) == len(tickets_made) + moves
        assert sum(row.seconds for rows in found.values() for row in rows if row.seconds) > 0
        assert_chained(found)


def test_a_refused_stale_move_leaves_the_stay_open(app, clock):
    with app.app_context():
        service = records(app)
        ticket = service.create({"title": "Printer jams"})
        stale = ticket.version
        service.update(ticket, {"status": "in_progress"}, version=stale)
        with pytest.raises(Conflict):
            service.update(ticket, {"status": "new"}, version=stale)
        rows = rows_by_record()[ticket.id]
        assert [row.to_state for row in rows] == ["new", "in_progress"]
        assert_chained({ticket.id: rows})


def test_an_import_moving_records_ends_their_stays(app):
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get(KEY)
        admin = session.get(User, 1)
        mapping = {"0": "title", "1": "status", "2": "resolution"}
        Importer(entity, admin, session, mapping, "skip").run([(2, ["Printer", "new", ""]), (3, ["Scanner", "new", ""])])
        printer = session.get(tickets.Ticket, 1)
        records(app).update(printer, {"status": "in_progress"}, version=printer.version)
        outcome = Importer(entity, admin, session, mapping, "update").run(
            [(2, ["Printer", "resolved", "Fixed"]), (3, ["Scanner", "in_progress", ""])])
        assert outcome.updated == 2
        found = rows_by_record()
        assert [row.to_state for row in found[1]] == ["new", "in_progress", "resolved"]
        assert [row.to_state for row in found[2]] == ["new", "in_progress"]
        assert_chained(found)


def test_the_migration_fills_the_end_of_every_stay_stored_before_it(make_app):
    app = make_app(plugins=[tickets], DEFAULT_LOCALE="en", migrate=False)
    engine = db.engine_of(app)
    core = app.extensions["crmkit"].lineages[0]
    upgrade(engine, core, "0b1c2d3e4f5a")
    rng = random.Random(11)
    stored = []
    for record_id in (1, 2, 3):
        at = START
        for n in range(rng.randrange(1, 6)):
            stored.append({"record": record_id, "to": f"s{n}", "at": at})
            at += timedelta(seconds=rng.randrange(0, 3) * rng.randrange(1, 90000))  # some moves in the same second
    rng.shuffle(stored)
    with engine.begin() as connection:
        for row in stored:
            connection.execute(text("INSERT INTO core_transition (entity, record_id, field, to_state, at) "
                                    "VALUES ('deal', :record, 'stage_id', :to, :at)"), row)
    upgrade(engine, core)
    with app.app_context():
        found = rows_by_record()
        assert sorted(found) == [1, 2, 3] and sum(len(rows) for rows in found.values()) == len(stored)
        for rows in found.values():
            rows.sort(key=lambda row: (row.at, row.id))
        assert_chained(found)
