"""Fixtures for the automation tests: an app whose jobs run at once, an admin the rules act as,
a sales pipeline and deals made through the records service, and rules saved as the admin page does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crmkit import db
from crmkit.core.activities.models import Activity
from crmkit.core.automation import rules
from crmkit.core.automation.models import RuleRun
from crmkit.core.pipelines.models import Deal
from tests.pipelining import acting_as, new_pipeline, user_by_email
from tests.people import person

ADMIN = "rules-admin@example.com"


@pytest.fixture
def app(make_app):
    return make_app(DEFAULT_LOCALE="en", JOBS_IMMEDIATE=True, AUTOMATION_CACHE_SECONDS=0)


@pytest.fixture
def admin_id(app):
    return person(app, ADMIN, role="admin", name="Rules Admin")


@pytest.fixture
def sales(app):
    """A pipeline with the default stages: ids of the pipeline and each stage by English name."""
    return new_pipeline(app)


def save_rule(app, data: dict, email: str = ADMIN):
    """Save a rule as ``email``; returns its id."""
    with app.test_request_context():
        session = db.session()
        return rules.save(session, {"enabled": True, **data}, user_by_email(session, email)).id


def new_deal(app, email, sales, title="Flat on Abay", **fields) -> int:
    with acting_as(app, email) as records:
        return records.create({"title": title, "pipeline_id": sales["pipeline"], **fields}).id


def move_deal(app, email, deal_id, stage_id):
    with acting_as(app, email) as records:
        deal = records.get(deal_id)
        return records.update(deal, {"stage_id": stage_id}, deal.version)


def tasks_about(app, deal_id) -> list[Activity]:
    with app.app_context():
        statement = select(Activity).where(Activity.about_entity == "deal", Activity.about_id == deal_id).order_by(Activity.id)
        return list(db.session().execute(statement).scalars())


def runs(app, **where) -> list[RuleRun]:
    with app.app_context():
        statement = select(RuleRun).filter_by(**where).order_by(RuleRun.id)
        return list(db.session().execute(statement).scalars())


def deal_row(app, deal_id) -> Deal:
    with app.app_context():
        return db.session().get(Deal, deal_id)
