"""Deals from a spreadsheet go through the same rules as any other path: a row without a stage
starts in its pipeline's first open stage, a row in a won or lost stage is closed (with the final
amount when won) and a lost one needs its reason. Competitors are set on the deal, not imported."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines.models import Deal
from crmkit.core.transfer.importer import Importer
from crmkit.core.transfer.mapping import importable_fields
from crmkit.entities.transitions import Transition
from tests.pipelining import new_pipeline, new_reason

MAPPING = {"0": "title", "1": "pipeline_id", "2": "stage_id", "3": "amount", "4": "loss_reason_id"}


@pytest.fixture
def app(make_app, admin_client_for):
    app = make_app(DEFAULT_LOCALE="en")
    admin_client_for(app)
    return app


def import_rows(app, rows, mapping=MAPPING):
    with app.test_request_context():
        session = db.session()
        entity = app.extensions["crmkit"].entities.get("deal")
        outcome = Importer(entity, session.get(User, 1), session, mapping, "skip").run(rows)
        return outcome, list(session.execute(select(Deal).order_by(Deal.id)).scalars())


def test_imported_deals_start_in_the_first_stage_or_close_as_their_stage_says(app):
    ids = new_pipeline(app)
    reason = new_reason(app)
    p = str(ids["pipeline"])
    rows = [(2, ["Fresh", p, "", "100", ""]),
            (3, ["Won it", p, str(ids["Won"]), "250.5", ""]),
            (4, ["Lost it", p, str(ids["Lost"]), "70", str(reason)]),
            (5, ["Lost, no reason", p, str(ids["Lost"]), "70", ""])]
    outcome, deals = import_rows(app, rows)
    assert [row for row, *_ in outcome.errors] == [5]
    fresh, won, lost = deals
    assert fresh.stage_id == ids["Qualification"] and fresh.closed_at is None
    assert won.closed_at is not None and won.won_amount == Decimal("250.50")
    assert lost.closed_at is not None and lost.loss_reason_id == reason


def test_a_file_without_a_stage_column_starts_every_deal_in_the_first_open_stage(app):
    ids = new_pipeline(app)
    outcome, deals = import_rows(app, [(2, ["Fresh", str(ids["pipeline"])])], mapping={"0": "title", "1": "pipeline_id"})
    assert outcome.errors == [] and [deal.stage_id for deal in deals] == [ids["Qualification"]]
    with app.app_context():
        moves = db.session().execute(select(Transition.from_state, Transition.to_state)).all()
    assert moves == [(None, str(ids["Qualification"]))]


def test_competitors_are_not_offered_for_import(app):
    entity = app.extensions["crmkit"].entities.get("deal")
    assert "competitor_ids" not in importable_fields(entity) and "stage_id" in importable_fields(entity)
