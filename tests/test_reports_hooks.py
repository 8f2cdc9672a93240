"""register_reports: a plugin's report gets its key, its permission, a place on /reports and a page."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from crmkit import db, hookimpl
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.reports import Dimension, Filter, Measure, Report
from crmkit.reports.registry import ReportError
from tests.hooking import client_of, plugin


def calls_report(**changes):
    fields = {
        "name": "calls_by_kind", "label": "Calls by kind", "entity": "activity", "period_field": "happened_at",
        "dimensions": (Dimension("kind", "Kind", column="kind"),), "measures": (Measure("count", "Activities"),),
        **changes,
    }
    return Report(**fields)


def test_hook_register_reports(make_app):
    @hookimpl
    def register_reports():
        return [calls_report()]

    app = make_app(plugins=[plugin("telephony", register_reports)])
    assert "reports.telephony.calls_by_kind.view" in app.extensions["crmkit"].permissions
    client = client_of(app)
    with app.app_context():
        now = datetime.now(UTC)
        session = db.session()
        owner = session.execute(select(User.id).where(User.email == "admin@example.com")).scalar_one()
        session.add_all([Activity(kind="call", subject=s, happened_at=now, owner_id=owner) for s in ("a", "b")])
        session.commit()
    listing = client.get("/reports/").get_data(as_text=True)
    assert 'href="/reports/telephony.calls_by_kind/"' in listing
    page = client.get("/reports/telephony.calls_by_kind/").get_data(as_text=True)
    assert re.search(r'<a href="/activity/\?[^"]*kind=call[^"]*">2</a>', page), page


def test_a_report_naming_a_column_its_entity_lacks_stops_start_up(make_app):
    @hookimpl
    def register_reports():
        return [calls_report(period_field="called_at")]

    with pytest.raises(ReportError, match="called_at"):
        make_app(plugins=[plugin("telephony", register_reports)])


def test_a_report_of_an_entity_nobody_declared_stops_start_up(make_app):
    @hookimpl
    def register_reports():
        return [calls_report(entity="telephony.call")]

    with pytest.raises(ReportError, match="telephony.call"):
        make_app(plugins=[plugin("telephony", register_reports)])


def test_a_declaration_without_figures_or_with_a_frame_filter_name_is_refused_at_once():
    with pytest.raises(ValueError, match="dimensions and measures"):
        Report("empty", "Empty", entity="activity")
    with pytest.raises(ValueError, match="period"):
        calls_report(filters=(Filter("period", "Period"),))
