"""Exports, saved reports and mailings: CSV and XLSX carry the page's figures (formulas
neutralised), a saved report is its owner's until shared, and a mailing delivers each recipient the
report as they may see it, as XLSX, through a real SMTP server."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crmkit import db, jobs
from crmkit.core.contacts.models import Organization
from crmkit.reports import mailing
from crmkit.reports.models import ReportMailing, SavedReport
from crmkit.reports.saved import next_run
from tests.people import client_as, page, post
from tests.test_reminders import smtp_server  # noqa: F401 - the real SMTP server fixture (aiosmtpd)
from tests.test_reports_frame import NOW, generate, run_as, staff

REPORT = "/reports/clients_new/?period=all&by=owner"


@pytest.fixture
def app(make_app, smtp_server):
    controller, _inbox = smtp_server
    return make_app(JOBS_IMMEDIATE=True, SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="CRM <crm@example.kz>")


@pytest.fixture
def world(app):
    people = staff(app)
    return {**people, **generate(app, people)}


def figures_of(result) -> dict[str, int]:
    return {str(row.values["owner"]): row.values["count"] for row in result.rows}


def test_the_xlsx_export_holds_the_figures_of_the_page(app, world):
    manager = client_as(app, "boss@example.com")
    response = manager.get("/reports/clients_new/export?period=all&by=owner&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    result, _ = run_as(app, "boss@example.com", "clients_new", period="all", by="owner")
    assert {name: count for name, count in rows[1:-1]} == figures_of(result)
    assert rows[-1][1] == result.totals.values["count"] and isinstance(rows[-1][1], int)


def test_the_csv_export_holds_the_same_figures_and_neutralises_formulas_in_names(app, world):
    with app.app_context():
        session = db.session()
        session.add(Organization(name="=HYPERLINK(1)", is_client=True, segment="=cmd", owner_id=world["boss"]))
        session.commit()
    manager = client_as(app, "boss@example.com")
    text = manager.get("/reports/clients_new/export?period=all&by=segment", headers={"Accept-Language": "en"}).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Segment", "New clients"]
    assert ["'=cmd", "1"] in rows
    result, _ = run_as(app, "boss@example.com", "clients_new", period="all", by="segment")
    assert int(rows[-1][1]) == result.totals.values["count"]


def test_a_saved_report_is_its_owner_s_until_it_is_shared(app, world):
    boss = client_as(app, "boss@example.com")
    north = client_as(app, "north@example.com")
    saved = post(boss, "/reports/clients_new/save", {"name": "By owner", "period": "all", "by": "owner"}, REPORT)
    assert saved.status_code == 302 and "saved=" in saved.location
    saved_id = int(re.search(r"saved=(\d+)", saved.location).group(1))
    assert "By owner" in page(boss, "/reports/") and "By owner" not in page(north, "/reports/")
    assert north.get(f"/reports/saved/{saved_id}").status_code == 404
    assert post(north, f"/reports/saved/{saved_id}/delete", {}, "/reports/").status_code == 404

    shared = post(boss, "/reports/clients_new/save", {"name": "Team view", "shared": "1", "period": "all", "by": "owner"}, REPORT)
    shared_id = int(re.search(r"saved=(\d+)", shared.location).group(1))
    opened = north.get(f"/reports/saved/{shared_id}")
    assert opened.status_code == 302 and "by=owner" in opened.location and "period=all" in opened.location
    assert post(north, f"/reports/saved/{shared_id}/delete", {}, "/reports/").status_code == 403  # only its owner
    assert post(client_as(app, "admin@example.com"), f"/reports/saved/{shared_id}/delete", {}, "/reports/").status_code == 302
    with app.app_context():
        assert db.session().get(SavedReport, shared_id) is None


def test_the_next_run_of_a_mailing_is_its_hour_on_its_owner_s_clock():
    weekly = ReportMailing(saved_id=1, owner_id=1, frequency="weekly", weekday=0, hour=9, next_run_at=NOW)
    monday = next_run(weekly, "Asia/Almaty", datetime(2026, 12, 7, 5, 0, tzinfo=UTC))  # Monday 10:00 in Almaty
    assert monday == datetime(2026, 12, 14, 4, 0, tzinfo=UTC)  # next Monday 09:00 in Almaty
    monthly = ReportMailing(saved_id=1, owner_id=1, frequency="monthly", day=1, hour=8, next_run_at=NOW)
    assert next_run(monthly, "Asia/Almaty", datetime(2026, 12, 7, tzinfo=UTC)) == datetime(2027, 1, 1, 3, 0, tzinfo=UTC)


def test_a_mailing_delivers_each_recipient_the_report_they_may_see_as_xlsx(app, world, smtp_server):
    _controller, inbox = smtp_server
    boss = client_as(app, "boss@example.com")
    saved = post(boss, "/reports/clients_new/save", {"name": "Weekly owners", "period": "all", "by": "owner"}, REPORT)
    saved_id = int(re.search(r"saved=(\d+)", saved.location).group(1))
    added = post(boss, f"/reports/saved/{saved_id}/mailings", {
        "frequency": "weekly", "weekday": "0", "hour": "8", "recipients": [str(world["boss"]), str(world["north"])],
    }, REPORT)
    assert added.status_code == 302
    with app.app_context():
        session = db.session()
        planned = session.execute(select(ReportMailing)).scalar_one()
        assert planned.next_run_at > datetime.now(UTC)
        planned.next_run_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
        jobs.enqueue("core.reports.send_due_mailings", user=None)
        assert mailing.send_due_mailings() == 0  # claimed already: moved on to next week
    received = {message["To"]: message for message in inbox.parsed()}
    assert set(received) == {"boss@example.com", "north@example.com"}
    for email, message in received.items():
        attachment = next(part for part in message.iter_attachments())
        assert attachment.get_filename() == "clients_new.xlsx"
        sheet = load_workbook(io.BytesIO(attachment.get_content())).active
        exported = {row[0]: row[1] for row in list(sheet.iter_rows(values_only=True))[1:-1]}
        result, _ = run_as(app, email, "clients_new", period="all", by="owner")
        assert exported == figures_of(result)  # the agent's file counts only their own clients


def test_a_save_without_a_name_goes_back_to_the_report_with_its_filters_and_nothing_else(app, world):
    boss = client_as(app, "boss@example.com")
    refused = post(boss, "/reports/clients_new/save", {"name": " ", "period": "all", "by": "owner"}, REPORT)
    assert refused.status_code == 302 and "csrf_token" not in refused.location
    assert "period=all" in refused.location and "by=owner" in refused.location
    with app.app_context():
        assert db.session().execute(select(SavedReport)).first() is None
