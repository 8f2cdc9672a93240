"""Helpers for the pipelines tests: a pipeline with its default stages, deals made through
``Records`` (the framework's one write path) and through the pages."""

from __future__ import annotations

import re
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.auth.models import User
from crmkit.core.pipelines import setup
from crmkit.core.pipelines.models import Deal, LossReason, Stage
from crmkit.entities.service import Records
from tests.people import post


def new_pipeline(app, en="Sales", **names) -> dict[str, int]:
    """A pipeline with the default stages; returns the ids: pipeline and each stage by English name."""
    with app.app_context():
        session = db.session()
        pipeline = setup.create_pipeline(session, {"en": en, **names})
        stages = {s.names["en"]: s.id for s in setup.stages_of(session, pipeline.id)}
        return {"pipeline": pipeline.id, **stages}


def new_reason(app, en="Too expensive", **names) -> int:
    with app.app_context():
        return setup.add_loss_reason(db.session(), {"en": en, **names}).id


def user_by_email(session, email) -> User:
    return session.execute(select(User).where(User.email == email)).scalar_one()


@contextmanager
def acting_as(app, email, key="deal"):
    """``Records`` of an entity (deals by default) for the user with ``email``, inside a request."""
    with app.test_request_context():
        session = db.session()
        yield Records(app.extensions["crmkit"].entities.get(key), user_by_email(session, email), session)


def other(records: Records, key: str) -> Records:
    """``Records`` of another entity for the same user."""
    return Records(current_app.extensions["crmkit"].entities.get(key), records.user, records.db)


def new_organization(records: Records, name: str, competitor: bool = False) -> int:
    return other(records, "organization").create({"name": name, "is_competitor": competitor}).id


def stored(app, model, record_id):
    with app.app_context():
        return db.session().get(model, record_id)


def stage(app, stage_id) -> Stage:
    return stored(app, Stage, stage_id)


def deal(app, deal_id) -> Deal:
    return stored(app, Deal, deal_id)


def reason(app, reason_id) -> LossReason:
    return stored(app, LossReason, reason_id)


def new_deal_page(client, **fields) -> int:
    """Create a deal through its form; returns its id."""
    response = post(client, "/deal/new", fields, "/deal/new")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/deal/(\d+)", response.location).group(1))
