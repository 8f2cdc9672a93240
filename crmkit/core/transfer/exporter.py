"""Exporting what a user sees of an entity, as CSV or XLSX, a few hundred rows at a time.

The rows are the list's: the same filters and sort, scoped by ``Records.select`` so visibility
holds. Text cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return) get a leading apostrophe (OWASP's advice for CSV injection).
A field naming a user exports the user's name (their email when they have none), which the
import reads back.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crmkit.core.auth.models import User
from crmkit.entities import listing
from crmkit.entities.linking import USER
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 500


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_fields(records: Records) -> list[str]:
    return ["id", *(name for name, f in records.entity.schema._declared_fields.items() if not f.load_only)]


def header(records: Records, fields: list[str]) -> list[str]:
    return [_("ID") if name == "id" else str(records.entity.field_label(name)) for name in fields]


def rows(records: Records, filters: dict[str, str], sort: str = "", archived: bool = False) -> Iterator[list[Any]]:
    """The visible records, filtered and sorted as the list would, streamed from the database."""
    entity = records.entity
    statement = listing.apply_filters(records.select(include_archived=archived), entity, filters, records.extension_groups())
    column, descending = listing.sort_spec(entity, sort or entity.default_sort)
    id_column = entity.model.__table__.c.id
    statement = statement.order_by(*listing.ordering(column, id_column, descending, forward=True))
    fields = export_fields(records)
    declared = entity.schema._declared_fields
    users = [index for index, name in enumerate(fields) if name in declared and declared[name].metadata.get("link") == USER]
    names = user_names(records) if users else {}
    result = records.db.execute(statement.execution_options(yield_per=BATCH)).scalars()
    for record in result:
        row = [getattr(record, name) for name in fields]
        for index in users:
            row[index] = names.get(row[index], row[index])
        yield [neutralise(value) for value in row]


def user_names(records: Records) -> dict[int, str]:
    """Every user's name, else email, as a user field exports it (the import reads either back);
    one query: users are few beside the records."""
    statement = select(User.id, User.name, User.email)
    return {row.id: row.name or row.email for row in records.db.execute(statement)}


def text_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_chunks(records: Records, filters: dict[str, str], sort: str = "", archived: bool = False) -> Iterator[str]:
    """UTF-8 text with a byte-order mark, so Excel opens Cyrillic correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header(records, export_fields(records)))
    for count, row in enumerate(rows(records, filters, sort, archived), start=1):
        writer.writerow([text_cell(v) for v in row])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_file(records: Records, filters: dict[str, str], sort: str = "", archived: bool = False) -> tempfile.SpooledTemporaryFile:
    """An XLSX written row by row (openpyxl's write-only mode keeps memory flat), rewound."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(records.entity.label_plural)[:31] or "export")
    sheet.append(header(records, export_fields(records)))
    for row in rows(records, filters, sort, archived):
        sheet.append([xlsx_cell(v) for v in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_cell(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored values are UTC
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return str(value)
    return value
