"""Exporting what a user sees of an entity as CSV or XLSX, through the real pages and CLI."""

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Role
from tests.conftest import add_user, login
from tests.plugins.projects import hooks as projects
from tests.plugins.projects.hooks import Project


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def admin(app):
    return add_user(app, is_admin=True, name="Admin")


def add_projects(app, *names, owner_id=1, **values):
    with app.app_context():
        session = db.session()
        for name in names:
            session.add(Project(name=name, owner_id=owner_id, **values))
        session.commit()


def logged_in(app, email="admin@example.com", password="correct horse battery"):
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    return client


def csv_rows(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_csv_export_has_the_lists_filters_and_sort(app, admin):
    add_projects(app, "Beta", "Alpha", status="active")
    add_projects(app, "Gamma")
    response = logged_in(app).get("/transfer/projects.project/export?status=active&sort=name")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0][:3] == ["ID", "Name", "Status"]
    assert [row[1] for row in rows[1:]] == ["Alpha", "Beta"]


def test_a_csv_export_longer_than_one_batch_streams_every_row(app, admin, monkeypatch):
    from crmkit.core.transfer import exporter

    monkeypatch.setattr(exporter, "BATCH", 2)  # several batches read after the view has returned
    add_projects(app, *(f"Project {n:02d}" for n in range(7)))
    response = logged_in(app).get("/transfer/projects.project/export?sort=name")
    assert [row[1] for row in csv_rows(response)[1:]] == [f"Project {n:02d}" for n in range(7)]


def test_exported_csv_imports_back_unchanged(app, admin, tmp_path):
    add_projects(app, "Round trip", status="done", contact_email="rt@example.com")
    exported = tmp_path / "out.csv"
    exported.write_bytes(logged_in(app).get("/transfer/projects.project/export").get_data())
    result = app.test_cli_runner().invoke(args=["import", "projects.project", str(exported), "--dedup", "create"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        names = [(p.name, p.status, p.contact_email) for p in db.session().execute(select(Project).order_by(Project.id)).scalars()]
    assert names == [("Round trip", "done", "rt@example.com")] * 2


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://evil\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_injection_is_neutralised_in_csv(app, admin, value):
    add_projects(app, value)
    rows = csv_rows(logged_in(app).get("/transfer/projects.project/export"))
    assert rows[1][1] == "'" + value


def test_formula_injection_is_neutralised_in_xlsx(app, admin):
    add_projects(app, "=1+1")
    response = logged_in(app).get("/transfer/projects.project/export?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cell = sheet.cell(row=2, column=2)
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)  # text, kept text when edited


def test_an_agent_without_the_export_permission_is_refused(app, admin):
    add_projects(app, "Secret")
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent = logged_in(app, "agent@example.com", "a long agent passphrase")
    assert agent.get("/transfer/projects.project/export").status_code == 403
    result = app.test_cli_runner().invoke(args=["export", "projects.project", "--as", "agent@example.com"])
    assert result.exit_code != 0 and "Secret" not in result.output


def test_export_holds_only_the_records_the_user_sees(app, admin):
    with app.app_context():
        session = db.session()
        session.add(Role(name="exporter", label="Exporter", permissions=["*.view", "*.export"], visibility={"*": "own"}))
        session.commit()
    add_user(app, "exporter@example.com", "export password 1", role="exporter")
    add_projects(app, "Admin's")
    add_projects(app, "Mine", owner_id=2)
    rows = csv_rows(logged_in(app, "exporter@example.com", "export password 1").get("/transfer/projects.project/export"))
    assert [row[1] for row in rows[1:]] == ["Mine"]
    result = app.test_cli_runner().invoke(args=["export", "projects.project", "--as", "exporter@example.com"])
    assert "Mine" in result.output and "Admin's" not in result.output


def test_cli_exports_xlsx_to_a_file_with_filters(app, admin, tmp_path):
    add_projects(app, "Urgent one", urgent=True)
    add_projects(app, "Calm one")
    target = tmp_path / "out.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "projects.project", "urgent=1", "--format", "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target, read_only=True).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Urgent one"]


def test_the_list_links_to_import_and_export_only_when_allowed(app, admin):
    page = logged_in(app).get("/projects/project/?status=active").get_data(as_text=True)
    assert 'href="/transfer/projects.project/import"' in page
    assert 'href="/transfer/projects.project/export?status=active"' in page
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    agent_page = logged_in(app, "agent@example.com", "a long agent passphrase").get("/projects/project/").get_data(as_text=True)
    assert "/transfer/" not in agent_page


def test_each_export_is_written_to_the_audit_log(app, admin):
    from crmkit.core.audit.models import AuditEntry

    logged_in(app).get("/transfer/projects.project/export?status=active")
    app.test_cli_runner().invoke(args=["export", "projects.project", "--format", "xlsx", "-o", "/dev/null"])
    with app.app_context():
        entries = db.session().execute(select(AuditEntry).where(AuditEntry.action == "export")).scalars().all()
    assert [(e.user_id, e.detail["format"], e.detail["filters"]) for e in entries] == [(1, "csv", {"status": "active"}), (1, "xlsx", {})]
