"""Fixtures of the lead intake tests (L1 owns this file; the other lead packages keep theirs in
their own test modules)."""

from __future__ import annotations

import pytest

from crmkit import db
from crmkit.core.leads.models import Source, SourceMatch


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
