"""Helpers for the lead triage tests: leads arriving through ``receive()`` (every channel's one
entry point), a pipeline to convert them into, the leads' stored state, and forms posted as a
browser posts them (with the page's CSRF token)."""

from __future__ import annotations

from sqlalchemy import func, select

from crmkit import db
from crmkit.core.leads.intake import Incoming, receive
from crmkit.core.leads.models import Lead
from crmkit.core.pipelines import setup
from crmkit.entities.service import Records
from crmkit.testing import csrf_token


def arrive(app, channel="form", **fields) -> int:
    """A lead received on ``channel`` and committed, as a channel does; returns its id."""
    fields.setdefault("name", "Айгуль Сапарова")
    with app.app_context():
        lead, _created = receive(Incoming(channel=channel, **fields))
        db.session().commit()
        return lead.id


def lead_of(app, lead_id) -> Lead:
    with app.app_context():
        return db.session().get(Lead, lead_id)


def new_pipeline(app, en="Sales") -> dict[str, int]:
    """A pipeline with the default stages: its id and each stage's by English name."""
    with app.app_context():
        session = db.session()
        pipeline = setup.create_pipeline(session, {"en": en})
        return {"pipeline": pipeline.id, **{s.names["en"]: s.id for s in setup.stages_of(session, pipeline.id)}}


def count(app, model, *conditions) -> int:
    with app.app_context():
        return db.session().execute(select(func.count()).select_from(model).where(*conditions)).scalar_one()


def records(app, key, user):
    """``Records`` of ``key`` for ``user`` (a user made by make_user), in a request of ``app``."""
    ctx = app.test_request_context()
    ctx.push()
    session = db.session()
    return Records(app.extensions["crmkit"].entities.get(key), session.merge(user), session), ctx


def post(client, url, form, page="/lead_triage/"):
    """POST ``form`` to ``url`` with the CSRF token of ``page``, as the browser sends it."""
    return client.post(url, data={**form, "csrf_token": csrf_token(client, page)})


def assign(app, lead_id, owner, acting) -> None:
    """Give the lead to ``owner`` and move it to assigned, as ``acting`` (a manager) does."""
    with app.test_request_context():
        session = db.session()
        leads = Records(app.extensions["crmkit"].entities.get("lead"), session.merge(acting), session)
        lead = leads.get(lead_id)
        leads.assign_owner(lead, owner.id)
        leads.update(lead, {"status": "assigned"}, None)


def sweep(app) -> dict:
    """One run of the quality-control job, as the scheduler runs it."""
    from crmkit.core.lead_triage import control

    with app.app_context():
        return control.sweep()
