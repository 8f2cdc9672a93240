"""receive(): every channel's one way in, making each lead exactly once."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from crmkit import api, db
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.models import Lead
from crmkit.entities.history import Change
from crmkit.entities.transitions import Transition


def count(model, *where):
    return db.session().execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_a_received_lead_keeps_what_was_sent_and_starts_new(app):
    with app.app_context():
        lead, created = receive(Incoming(
            channel="webhook", name="Айгуль <b>", phones=["8 701 123 45 67", "+7 702 000 00 00"],
            emails=["Aigul@Mail.KZ"], request="Ищу 2-комнатную", utm={"utm_source": "krisha", "utm_campaign": "dec"},
            raw={"id": 1}, external_id="x-1",
        ))
        db.session().commit()
        assert created
        stored = db.session().get(Lead, lead.id)
        assert (stored.name, stored.status, stored.channel) == ("Айгуль <b>", "new", "webhook")
        assert stored.phones == "8 701 123 45 67, +7 702 000 00 00"
        assert (stored.phone_key, stored.email_key) == ("+77011234567", "aigul@mail.kz")
        assert (stored.utm_source, stored.utm_campaign, stored.raw) == ("krisha", "dec", {"id": 1})
        assert stored.owner_id is None and stored.received_at is not None


def test_a_lead_is_created_with_history_and_its_first_transition(app):
    with app.app_context():
        lead, _created = receive(Incoming(channel="form", name="Ерлан"))
        db.session().commit()
        assert count(Change, Change.entity == "lead", Change.record_id == lead.id, Change.action == "create") == 1
        moves = db.session().execute(select(Transition.from_state, Transition.to_state)
                                     .where(Transition.entity == "lead", Transition.record_id == lead.id)).all()
        assert moves == [(None, "new")]


def test_a_repeat_of_the_senders_id_returns_the_same_lead(app):
    with app.app_context():
        first, created = receive(Incoming(channel="webhook", name="A", external_id="42"))
        db.session().commit()
        again, created_again = receive(Incoming(channel="webhook", name="B", external_id="42"))
        assert (created, created_again, again.id) == (True, False, first.id)
        assert count(Lead) == 1


def test_the_same_id_on_another_channel_is_another_lead(app):
    with app.app_context():
        receive(Incoming(channel="webhook", external_id="42"))
        receive(Incoming(channel="email", external_id="42"))
        db.session().commit()
        assert count(Lead) == 2


def test_an_overlong_value_is_cut_and_kept_whole_in_raw(app):
    with app.app_context():
        lead, _ = receive(Incoming(channel="form", name="Я" * 250, raw={"name": "given"}))
        db.session().commit()
        assert len(lead.name) == 200 and lead.name.endswith("…")
        assert lead.raw == {"name": "given", "cut": {"name": "Я" * 250}}


def test_receive_leaves_the_commit_to_the_channel(app):
    """Nothing is kept when the channel rolls back (SQLite's outermost savepoint would commit)."""
    with app.app_context():
        receive(Incoming(channel="form", name="never acknowledged"))
        db.session().rollback()
    with app.app_context():
        assert count(Lead) == 0
        receive(Incoming(channel="form", name="acknowledged"))
        db.session().commit()
    with app.app_context():
        assert count(Lead) == 1


def test_the_public_api_receives_leads(app):
    with app.app_context():
        lead, created = api.receive_lead(api.Incoming(channel="manual", name="Через API"))
        api.session().commit()
        assert created and lead.id


def test_concurrent_duplicates_make_one_lead(app, database_url):
    """Two deliveries of one id at once: the unique index decides, both get the same lead."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite takes one writer at a time; the race needs PostgreSQL")
    barrier = threading.Barrier(4)
    results, errors = [], []

    def deliver():
        try:
            with app.app_context():
                barrier.wait()
                lead, created = receive(Incoming(channel="webhook", name="race", external_id="same"))
                db.session().commit()
                results.append((lead.id, created))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len({lead_id for lead_id, _ in results}) == 1
    assert sorted(created for _, created in results) == [False, False, False, True]
    with app.app_context():
        assert count(Lead) == 1
