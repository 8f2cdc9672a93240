"""Fixtures of the lead intake tests (L1 owns this file; the other lead packages keep theirs in
their own test modules).

The browser fixtures of tests/browser (``chromium``, ``new_page``, ``live_app``, ``live_server``...)
are imported here, so browser tests of leads live beside the other lead tests; mark them with
``pytestmark = pytest.mark.browser``. ``embedded_form_page`` serves a page of another site
embedding a web form of the live crmkit.
"""

from __future__ import annotations

import pytest

from crmkit import db
from crmkit.core.leads.models import Source, SourceMatch
from tests.browser.conftest import (  # noqa: F401 - fixtures and hooks for the browser tests here
    browser_locale,
    browser_page,
    chromium,
    live_app,
    live_server,
    new_page,
    pytest_runtest_makereport,
    pytest_runtest_setup,
)
from tests.leads.embedding import embedded_form_page  # noqa: F401 - a fixture


@pytest.fixture
def make_source(app):
    """``make_source("krisha", {"ru": "Крыша"}, utm_source="krisha", form="tok")``: a source with
    the values that point to it, committed."""

    def make(key, names=None, **matches):
        with app.app_context():
            session = db.session()
            source = Source(key=key, names=names or {"en": key})
            session.add(source)
            session.flush()
            for kind, value in matches.items():
                session.add(SourceMatch(source_id=source.id, kind=kind, value=value))
            session.commit()
            return source.id

    return make


@pytest.fixture
def make_form(app):
    """``make_form(allowed_origins=["https://agency.kz"], ...)``: a web form taking leads, made
    through the same code as the admin page; returns its token."""
    from crmkit.core.intake_form import setup

    def make(**values):
        given = {"name": "Site form", "language": "en", "fields": ["name", "phone", "email", "request"],
                 "required": ["phone"], "allowed_origins": "", "active": True, **values}
        if isinstance(given["allowed_origins"], list):
            given["allowed_origins"] = "\n".join(given["allowed_origins"])
        with app.app_context(), app.test_request_context():
            return setup.save(db.session(), None, given).token

    return make


@pytest.fixture
def make_sender(app):
    """``make_sender(name="Krisha.kz")``: an active webhook sender; returns (key, secret, id)."""
    from crmkit.core.intake_webhook.models import WebhookSender

    def make(name="Portal", **values):
        with app.app_context():
            sender = WebhookSender(name=name, **values)
            db.session().add(sender)
            db.session().commit()
            return sender.key, sender.secret, sender.id

    return make


@pytest.fixture
def deliver(client):
    """``deliver(key, secret, {"id": "1", ...}, at=None, signature=None)``: a signed POST to the
    webhook as a sender makes it (``at``: the Unix time signed at, now by default)."""
    import json
    import time

    from crmkit.core.intake_webhook.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature as sign

    def send(key, secret, payload, at=None, signature=None, body=None):
        raw = body if body is not None else json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time() if at is None else at))
        headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature or sign(secret, timestamp, raw)}
        return client.post(f"/intake/webhook/{key}", data=raw, content_type="application/json", headers=headers)

    return send
