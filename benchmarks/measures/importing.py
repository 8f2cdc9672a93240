"""Import rate: a CSV through the real ``crmkit import ENTITY FILE`` (Importer: mapping, full
validation, phone normalisation, duplicate check, history, the phone/email and search indexes),
beside the same rows written raw (sqlite3 executemany, PostgreSQL COPY) into the same table.

It runs once per engine, into an empty database of its own, since its rate does not depend on
the size of the contacts database the other measurements use.
"""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from benchmarks import core, files, world
from crmkit import db

TARGET_ROWS_PER_S = 20_000
ORG_HEADER = ["name", "legal_name", "industry", "segment", "is_client", "size"]


def org_rows(count: int) -> list[list[str]]:
    """An entity with no phones or emails: what the import machinery costs by itself."""
    return [[f"ТОО «Ромашка {i}»", f"Товарищество «Ромашка {i}»", ("it", "retail", "")[i % 3], ("a", "b", "c", "")[i % 4],
             ("да", "нет")[i % 2], ("1-10", "11-50", "")[i % 3]] for i in range(count)]


def write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def raw_rows(header: list[str], rows: list[list[str]], owner: int) -> tuple[list[str], list[tuple]]:
    """The file's cells as they stand (no validation), with the columns every record needs."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    flags = {"is_client", "is_prospect"}
    columns = [*header, "version", "owner_id", "created_by_id", "created_at", "updated_at", "extra", "phones_typed",
               "is_supplier", "is_partner", "is_competitor", *(["is_prospect"] if "is_prospect" not in header else [])]
    values = []
    for row in rows:
        cells = [(cell in ("да", "yes")) if name in flags else (cell or None) for name, cell in zip(header, row, strict=True)]
        values.append((*cells, 1, owner, owner, now, now, "{}", "{}", False, False, False,
                       *([False] if "is_prospect" not in header else [])))
    return columns, values


def raw_insert(ctx, app, table: str, columns: list[str], values: list[tuple]) -> float:
    """Seconds to write the rows with the driver alone: executemany on SQLite, COPY on PostgreSQL."""
    connection = db.engine_of(app).raw_connection()
    try:
        cursor = connection.cursor()
        began = time.perf_counter()
        if ctx.engine == "postgresql":
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
        connection.commit()
        elapsed = time.perf_counter() - began
        cursor.execute(f"DELETE FROM {table}")
        connection.commit()
        return elapsed
    finally:
        connection.close()


def import_case(ctx, entity: str, table: str, header: list[str], rows: list[list[str]], case: str) -> core.Row:
    database = world.new_database(ctx.engine, ctx.settings.postgres_url, "import")
    try:
        app = database.app()
        world.migrate(app)
        admin = world.add_user(app, world.ADMIN_EMAIL, is_admin=True)
        path = database.folder / f"{entity}.csv"
        write(path, header, rows)
        raw = raw_insert(ctx, app, table, *raw_rows(header, rows, admin.id))
        cpu, began = time.process_time(), time.perf_counter()
        result = app.test_cli_runner().invoke(args=["import", entity, str(path)])
        elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
        created = ctx_count(app, table)
    finally:
        database.dispose()
    label = "COPY of the same rows (no checks)" if ctx.engine == "postgresql" else "sqlite3 executemany of the same rows (no checks)"
    figures = {"rows": len(rows), "rows_per_s": round(len(rows) / elapsed, 1), "seconds": round(elapsed, 3),
               "cpu_rows_per_s": round(len(rows) / max(cpu, 1e-6), 1)}
    baseline = {"rows_per_s": round(len(rows) / raw, 1), "seconds": round(raw, 4)}
    row = core.Row("import", case, ctx.engine, len(rows), figures, label, baseline, f">= {TARGET_ROWS_PER_S:,} rows/s on SQLite")
    if result.exit_code != 0 or created != len(rows):
        row.met, row.note = False, f"import failed: exit {result.exit_code}, {created} of {len(rows)} saved: {result.output[-300:]}"
    elif ctx.engine == "sqlite":
        row.met = figures["rows_per_s"] >= TARGET_ROWS_PER_S
    return row


def ctx_count(app, table: str) -> int:
    with app.app_context():
        return db.session().execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


@core.measurement("import", order=10)
def imports(ctx):
    if not ctx.first:
        return
    count = min(ctx.settings.import_rows, ctx.size)
    yield import_case(ctx, "person", "contacts_person", files.HEADER, files.rows(count),
                      "people CSV: phones, emails, IINs validated and normalised")
    yield import_case(ctx, "organization", "contacts_organization", ORG_HEADER, org_rows(count),
                      "organisations CSV: text and choice fields only")
