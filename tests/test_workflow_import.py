"""Imports obey a workflow like every other path: new rows start only where the workflow opens,
updates make only allowed moves, and each record created or moved gets its transition."""

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.transfer.importer import Importer
from crmkit.entities.transitions import Transition
from tests.conftest import add_user
from tests.plugins.tickets import hooks as tickets
from tests.plugins.tickets.hooks import Ticket

MAPPING = {"0": "title", "1": "status", "2": "resolution"}


@pytest.fixture
def app(make_app):
    app = make_app(plugins=[tickets], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")
    add_user(app, is_admin=True, name="Admin")
    return app


def import_rows(app, rows, mapping=MAPPING, mode="skip"):
    """Import ``rows`` as the admin; the outcome, the tickets (title, status) and the transitions."""
    with app.app_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("tickets.ticket")
        outcome = Importer(entity, session.get(User, 1), session, mapping, mode).run(rows)
        saved = [(t.title, t.status) for t in session.execute(select(Ticket).order_by(Ticket.id)).scalars()]
        moves = session.execute(select(Transition.record_id, Transition.from_state, Transition.to_state).order_by(Transition.id))
        return outcome, saved, [tuple(move) for move in moves]


def test_imported_rows_start_only_in_the_states_the_workflow_opens_with(app):
    rows = [(2, ["Printer", "new", ""]), (3, ["Scanner", "resolved", "Fixed"]), (4, ["Fax", "in_progress", ""])]
    outcome, saved, moves = import_rows(app, rows)
    assert outcome.errors == [[3, "status", "Not a state this record can take. Allowed: New, In progress."]]
    assert saved == [("Printer", "new"), ("Fax", "in_progress")]
    assert moves == [(1, None, "new"), (2, None, "in_progress")]


def test_rows_without_a_state_start_in_the_default_one_with_a_transition(app):
    outcome, saved, moves = import_rows(app, [(2, ["Printer"]), (3, ["Scanner"])], {"0": "title"})
    assert outcome.created == 2 and saved == [("Printer", "new"), ("Scanner", "new")]
    assert moves == [(1, None, "new"), (2, None, "new")]


def test_an_import_updating_records_makes_only_the_moves_allowed(app):
    import_rows(app, [(2, ["Printer"]), (3, ["Scanner"])], {"0": "title"})
    rows = [(2, ["Printer", "closed", ""]), (3, ["Scanner", "rejected", "Duplicate"])]
    outcome, saved, moves = import_rows(app, rows, mode="update")
    assert outcome.errors == [[2, "status", "Cannot move from New to Closed. Allowed: In progress, Rejected."]]
    assert saved == [("Printer", "new"), ("Scanner", "rejected")]
    assert moves == [(1, None, "new"), (2, None, "new"), (2, "new", "rejected")]


def test_an_imported_move_needs_the_fields_its_target_requires(app):
    import_rows(app, [(2, ["Printer"])], {"0": "title"})
    outcome, saved, _moves = import_rows(app, [(2, ["Printer", "rejected", ""])], mode="update")
    assert outcome.errors == [[2, "resolution", "Required in the state Rejected."]]
    assert saved == [("Printer", "new")]
