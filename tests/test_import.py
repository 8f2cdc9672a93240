"""Importing CSV and XLSX into a declared entity, through the real pages and the real CLI."""

import io
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from crmkit import db
from crmkit.core.transfer.models import ImportJob
from crmkit.entities.history import Change
from tests.conftest import add_user, csrf_token, login
from tests.plugins.projects import hooks as projects
from tests.plugins.projects.hooks import Project

HEADER = "Name,Status,Budget,Due,Contact email,Urgent"


@pytest.fixture
def app(make_app):
    return make_app(plugins=[projects], CRMKIT_LOCALE="en", DEFAULT_LOCALE="en")


@pytest.fixture
def admin(app):
    return add_user(app, is_admin=True, name="Admin")


def write(tmp_path, text, name="projects.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def projects_in(app):
    with app.app_context():
        return list(db.session().execute(select(Project).order_by(Project.id)).scalars())


def run_import(app, *args):
    return app.test_cli_runner().invoke(args=["import", "projects.project", *map(str, args)])


def add_project(app, **values):
    with app.app_context():
        session = db.session()
        project = Project(**{"name": "Existing", "owner_id": 1, **values})
        session.add(project)
        session.commit()
        return project.id


def test_a_cp1251_file_with_semicolons_imports_through_the_pages(app, admin, tmp_path):
    client = app.test_client()
    login(client)
    text = "Название;Статус;Бюджет;Срок;Почта\r\nКвартира на Абая;active;1 500,50;31.12.2026;abai@example.kz\r\n"
    upload = client.post(
        "/transfer/projects.project/import",
        data={"file": (io.BytesIO(text.encode("cp1251")), "проекты.csv"), "mode": "skip", "csrf_token": csrf_token(client, "/transfer/projects.project/import")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    mapping_page = client.get(upload.location).get_data(as_text=True)
    assert "Квартира" not in mapping_page and "Название" in mapping_page
    choices = {"column-0": "name", "column-1": "status", "column-2": "budget", "column-3": "due", "column-4": "contact_email"}
    check = client.post(upload.location, data={**choices, "mode": "skip", "csrf_token": csrf_token(client, upload.location)})
    check_page = client.get(check.location).get_data(as_text=True)
    assert "To create: 1" in check_page and projects_in(app) == []
    run = client.post(check.location.replace("/check", "/run"), data={"csrf_token": csrf_token(client, check.location)})
    assert "Created: 1" in client.get(run.location).get_data(as_text=True)
    [project] = projects_in(app)
    assert (project.name, project.status, project.budget, project.due.isoformat()) == ("Квартира на Абая", "active", Decimal("1500.50"), "2026-12-31")


def test_an_xlsx_file_imports_from_the_command_line(app, admin, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Budget", "Due", "Urgent"])
    sheet.append(["Office move", 2500, "2027-01-15", True])
    sheet.append(["Roof", 99.5, None, False])
    workbook.save(tmp_path / "projects.xlsx")
    result = run_import(app, tmp_path / "projects.xlsx")
    assert result.exit_code == 0, result.output
    assert [(p.name, p.budget, p.urgent) for p in projects_in(app)] == [
        ("Office move", Decimal("2500.00"), True),
        ("Roof", Decimal("99.50"), False),
    ]


def test_columns_are_mapped_by_field_label_or_name(app, admin, tmp_path):
    path = write(tmp_path, "contact email;NAME;Колонка без поля\nx@example.com;By label;zzz\n")
    result = run_import(app, path)
    assert "contact email → contact_email" in result.output and "NAME → name" in result.output
    assert [(p.name, p.contact_email) for p in projects_in(app)] == [("By label", "x@example.com")]


def test_map_option_maps_a_column_the_guess_missed(app, admin, tmp_path):
    path = write(tmp_path, "Наименование,Бюджет\nСклад,10\n")
    result = run_import(app, path, "--map", "Наименование=name", "--map", "Бюджет=budget")
    assert result.exit_code == 0, result.output
    assert [(p.name, p.budget) for p in projects_in(app)] == [("Склад", Decimal("10.00"))]


def test_a_dry_run_reports_every_bad_row_and_field_and_saves_nothing(app, admin, tmp_path):
    rows = ["Good,planned,1,,", ",planned,1,,", "Bad budget,planned,-5,,", "Two faults,nope,abc,,", "Bad mail,planned,,,not-mail"]
    result = run_import(app, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"), "--dry-run")
    assert result.exit_code == 1
    reported = set(re.findall(r"row (\d+), .*?\((\w+)\)", result.output))
    assert reported == {("3", "name"), ("4", "budget"), ("5", "status"), ("5", "budget"), ("6", "contact_email")}
    assert "1 created" in result.output and "4 bad rows" in result.output
    assert projects_in(app) == []


def test_bad_rows_are_left_out_and_every_good_row_is_saved(app, admin, tmp_path):
    rows = ["One,planned,1,,", "Bad,planned,-1,,", "Two,done,2,,"]
    result = run_import(app, write(tmp_path, HEADER + "\n" + "\n".join(rows) + "\n"))
    assert result.exit_code == 1
    assert "row 3, Budget (budget): Must be greater than or equal to 0." in result.output
    assert [p.name for p in projects_in(app)] == ["One", "Two"]


def test_errors_are_reported_in_the_users_language(app, admin, tmp_path, monkeypatch):
    monkeypatch.setenv("CRMKIT_LOCALE", "ru")
    result = run_import(app, write(tmp_path, HEADER + "\nBad,planned,-1,,\n"))
    assert "Значение должно быть не меньше 0." in result.output


def test_dedup_skip_leaves_the_existing_record_alone(app, admin, tmp_path):
    add_project(app, name="Old", contact_email="same@example.com")
    result = run_import(app, write(tmp_path, HEADER + "\nNew,planned,,,same@example.com\nOther,planned,,,other@example.com\n"))
    assert "1 created, 0 updated, 1 skipped" in result.output
    assert [p.name for p in projects_in(app)] == ["Old", "Other"]


def test_dedup_update_changes_the_existing_record_and_records_history(app, admin, tmp_path):
    record_id = add_project(app, name="Old", contact_email="same@example.com", budget=Decimal("5"))
    result = run_import(app, write(tmp_path, "Name,Contact email\nRenamed,same@example.com\n"), "--dedup", "update")
    assert "0 created, 1 updated" in result.output
    [project] = projects_in(app)
    assert (project.name, project.budget, project.version) == ("Renamed", Decimal("5.00"), 2)
    with app.app_context():
        change = db.session().execute(select(Change).where(Change.record_id == record_id)).scalar_one()
    assert change.action == "update" and change.changes == {"name": ["Old", "Renamed"]}


def test_dedup_create_adds_a_second_record(app, admin, tmp_path):
    add_project(app, name="Old", contact_email="same@example.com")
    run_import(app, write(tmp_path, HEADER + "\nNew,planned,,,same@example.com\n"), "--dedup", "create")
    assert [p.name for p in projects_in(app)] == ["Old", "New"]


def test_a_duplicate_within_the_file_is_skipped_too(app, admin, tmp_path):
    run_import(app, write(tmp_path, HEADER + "\nFirst,planned,,,a@example.com\nSecond,planned,,,a@example.com\n"))
    assert [p.name for p in projects_in(app)] == ["First"]


def test_imported_records_are_owned_by_the_importer_and_have_a_history(app, admin, tmp_path):
    add_user(app, "agent@example.com", "a long agent passphrase", role="manager")
    run_import(app, write(tmp_path, HEADER + "\nMine,planned,3,,\n"), "--as", "agent@example.com")
    [project] = projects_in(app)
    with app.app_context():
        change = db.session().execute(select(Change)).scalar_one()
    assert (project.owner_id, project.created_by_id) == (2, 2)
    assert (change.action, change.user_id, change.changes["name"]) == ("create", 2, [None, "Mine"])


def test_an_agent_without_the_import_permission_is_refused(app, admin, tmp_path):
    add_user(app, "agent@example.com", "a long agent passphrase", role="agent")
    result = run_import(app, write(tmp_path, HEADER + "\nNope,planned,,,\n"), "--as", "agent@example.com")
    assert result.exit_code != 0 and "may not import" in result.output
    agent = app.test_client()
    login(agent, "agent@example.com", "a long agent passphrase")
    assert agent.get("/transfer/projects.project/import").status_code == 403
    assert projects_in(app) == []


def test_another_users_import_job_is_not_found(app, admin, tmp_path):
    client = app.test_client()
    login(client)
    token = csrf_token(client, "/transfer/projects.project/import")
    data = {"file": (io.BytesIO(b"Name\nA\n"), "a.csv"), "csrf_token": token}
    location = client.post("/transfer/projects.project/import", data=data, content_type="multipart/form-data").location
    add_user(app, "boss@example.com", "a long boss passphrase", role="manager")
    other = app.test_client()
    login(other, "boss@example.com", "a long boss passphrase")
    assert other.get(location).status_code == 404


def test_the_job_table_records_progress_and_bad_rows(app, admin, tmp_path):
    run_import(app, write(tmp_path, HEADER + "\nA,planned,,,\nB,planned,-1,,\n"))
    with app.app_context():
        job = db.session().execute(select(ImportJob)).scalar_one()
        count = db.session().execute(select(func.count()).select_from(Project)).scalar_one()
    assert (job.status, job.rows_done, job.rows_ok, job.rows_bad, count) == ("done", 3, 1, 1, 1)
    assert job.errors == [[3, "budget", "Must be greater than or equal to 0."]]


def test_hook_records_imported(make_app, tmp_path):
    from tests.test_entity_hooks import plugin

    calls = []
    watcher = plugin(
        "watcher",
        records_imported=lambda entity, created_ids, updated_ids, user: calls.append((entity.key, created_ids, updated_ids, user.email)),
    )
    app = make_app(plugins=[projects, watcher], CRMKIT_LOCALE="en")
    add_user(app, is_admin=True)
    add_project(app, name="Old", contact_email="old@example.com")
    path = write(tmp_path, "Name,Contact email\nFresh,new@example.com\nRenamed,old@example.com\n")
    run_import(app, path, "--dedup", "update")
    assert calls == [("projects.project", [2], [1], "admin@example.com")]


def test_headers_match_labels_in_every_language(app):
    from flask_babel import lazy_gettext as _l
    from marshmallow import fields

    from crmkit import EntityType
    from crmkit.core.transfer.mapping import automap

    class Translated(projects.ProjectSchema):
        name = fields.String(required=True, metadata={"label": _l("Name")})
        contact_email = fields.Email(allow_none=True, metadata={"label": _l("Email")})

    entity = EntityType(name="project", model=Project, schema=Translated, label="Project", label_plural="Projects")
    with app.app_context():
        assert automap(entity, ["Атауы", "Электронная почта", "Бюджет?"]) == {"0": "name", "1": "contact_email"}


def test_each_import_is_written_to_the_audit_log(app, admin, tmp_path):
    from crmkit.core.audit.models import AuditEntry

    run_import(app, write(tmp_path, HEADER + "\nA,planned,,,\nB,planned,-1,,\n"))
    with app.app_context():
        entry = db.session().execute(select(AuditEntry).where(AuditEntry.action == "import")).scalar_one()
    assert (entry.user_id, entry.detail["entity"], entry.detail["created"], entry.detail["bad"]) == (1, "projects.project", 1, 1)


def test_the_check_page_lists_every_bad_row_before_anything_is_saved(app, admin):
    client = app.test_client()
    login(client)
    text = HEADER + "\nGood,planned,1,,\nBad,planned,-1,,\nWorse,nope,,,bad-mail\n"
    data = {"file": (io.BytesIO(text.encode()), "p.csv"), "csrf_token": csrf_token(client, "/transfer/projects.project/import")}
    mapping_url = client.post("/transfer/projects.project/import", data=data, content_type="multipart/form-data").location
    page = client.get(mapping_url + "/check").get_data(as_text=True)
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]+)</td>", page)
    assert rows == [("3", "Budget"), ("4", "Status"), ("4", "Contact email")]
    assert "2 bad rows" in page and projects_in(app) == []


def test_a_file_that_is_not_a_table_is_refused_by_its_content(app, admin):
    client = app.test_client()
    login(client)
    data = {"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "photo.csv"), "csrf_token": csrf_token(client, "/transfer/projects.project/import")}
    response = client.post("/transfer/projects.project/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400 and "be read as a table" in response.get_data(as_text=True)
