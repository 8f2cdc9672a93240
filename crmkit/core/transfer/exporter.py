"""Exporting what a user sees of an entity, as CSV or XLSX, a few hundred rows at a time.

The rows are the list's: the same filters and sort, scoped by ``Records.select`` so visibility
holds. Formula injection (docs/security.md): in a CSV, text a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) gets a leading apostrophe, as
OWASP advises, except a phone field's E.164 numbers ("+77011234567", one per line), which hold
nothing but digits after the plus: no function, no reference. In an XLSX every text is a text
cell (never a formula), and one starting so is marked "quote prefix", so editing it in Excel
keeps it text; phones are written as pages show them ("+7 701 123 45 67").

A choice exports its label in the user's language (the import reads labels in every language),
a field naming a user the user's name (their email when they have none), a link to a
record the linked record's title, both of which the import reads back; a title the import could
not tell from another's (two visible records share it) or would not find (archived, not visible)
is exported as the number, which it also reads. Mappings (a person's phones as typed) are not
exported: no spreadsheet cell holds them.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from marshmallow import fields as ma_fields
from sqlalchemy import func, select

from crmkit.core.auth.models import User
from crmkit.core.contacts.fields import Phone, PhoneList
from crmkit.core.contacts.phones import pretty
from crmkit.core.transfer import mapping
from crmkit.entities import listing
from crmkit.entities.linking import USER
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
E164_LINES = re.compile(r"\+[1-9][0-9]{6,14}(?:\n\+[1-9][0-9]{6,14})*")
BATCH = 500


class Phones(str):
    """A phone field's stored value (E.164, one per line): safe unprefixed in a CSV, shown as pages show it in an XLSX."""

    __slots__ = ()


def neutralise(value: Any) -> Any:
    """The value with a leading apostrophe when a spreadsheet would read it as a formula; phones'
    E.164 numbers as they are."""
    if isinstance(value, Phones) and E164_LINES.fullmatch(value):
        return value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_fields(records: Records) -> list[str]:
    """The entity's fields a spreadsheet can hold: every declared one but write-only ones and mappings."""
    declared = records.entity.schema._declared_fields.items()
    return ["id", *(name for name, f in declared if not f.load_only and not isinstance(f, ma_fields.Dict))]


def header(records: Records, fields: list[str]) -> list[str]:
    return [_("ID") if name == "id" else str(records.entity.field_label(name)) for name in fields]


def rows(records: Records, filters: dict[str, str], sort: str = "", archived: bool = False) -> Iterator[list[Any]]:
    """The visible records, filtered and sorted as the list would, streamed from the database;
    linked records' titles read a batch at a time (one query per linked entity and batch)."""
    entity = records.entity
    statement = listing.apply_filters(records.select(include_archived=archived), entity, filters, records.extension_groups())
    column, descending = listing.sort_spec(entity, sort or entity.default_sort)
    id_column = entity.model.__table__.c.id
    statement = statement.order_by(*listing.ordering(column, id_column, descending, forward=True))
    fields = export_fields(records)
    declared = entity.schema._declared_fields
    link_of = {i: declared[name].metadata.get("link") for i, name in enumerate(fields) if name in declared}
    users = [i for i, target in link_of.items() if target == USER]
    linked = {i: target for i, target in link_of.items() if target and target != USER and target in entities_by_key()}
    phone_fields = [i for i, name in enumerate(fields) if isinstance(declared.get(name), (Phone, PhoneList))]
    labels = {i: found for i, name in enumerate(fields) if name in declared and (found := choice_labels(declared[name]))}
    names = user_names(records) if users else {}
    result = records.db.execute(statement.execution_options(yield_per=BATCH)).scalars()
    for batch in result.partitions(BATCH):
        table = [[getattr(record, name) for name in fields] for record in batch]
        for target in set(linked.values()):
            columns = [i for i, t in linked.items() if t == target]
            shown = link_cells(records, target, {row[i] for row in table for i in columns})
            for row in table:
                for i in columns:
                    row[i] = shown.get(row[i], row[i])
        for row in table:
            for index in users:
                row[index] = names.get(row[index], row[index])
            for index, shown in labels.items():
                row[index] = shown.get(row[index], row[index])
            for index in phone_fields:
                row[index] = Phones(row[index]) if isinstance(row[index], str) else row[index]
            yield [neutralise(value) for value in row]


def entities_by_key() -> dict[str, Any]:
    return {e.key: e for e in current_app.extensions["crmkit"].entities}


def link_cells(records: Records, target: str, ids: set[Any]) -> dict[int, str]:
    """id -> the title to export for each linked record the import would find again by it: the
    one visible, unarchived record with that title. Two queries on indexed columns."""
    ids = {i for i in ids if isinstance(i, int)}
    entity = entities_by_key()[target]
    linked = Records(entity, records.user, records.db)
    if not ids or not linked.can("view"):
        return {}
    model, title = linked.model, getattr(linked.model, entity.title_field)
    found = dict(records.db.execute(linked.select().with_only_columns(model.id, title).where(model.id.in_(ids))).all())
    same = (
        linked.select()
        .with_only_columns(title, func.count(), func.min(model.id))
        .where(title.in_(set(found.values())))
        .group_by(title)
    )
    unique = {t: first for t, count, first in records.db.execute(same) if count == 1}
    return {record_id: str(t) for record_id, t in found.items() if t and not str(t).isdigit() and unique.get(t) == record_id}


def choice_labels(schema_field: Any) -> dict[str, str]:
    """A choice field's code -> label in the user's language, for each label the import reads
    back as that code (``mapping.choice_words``); a label two choices share stays a code."""
    labels = schema_field.metadata.get("choices_labels")
    if not isinstance(labels, dict) or not labels:
        return {}
    words = mapping.choice_words(schema_field)
    return {code: str(label) for code, label in labels.items() if words.get(mapping.normalise(str(label))) == code}


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
        sheet.append([xlsx_cell(v, sheet) for v in row])
    output = tempfile.SpooledTemporaryFile(max_size=8 << 20)
    workbook.save(output)
    output.seek(0)
    return output


def xlsx_cell(value: Any, sheet: Any = None) -> Any:
    """The cell for a value. Given the sheet: text as a text cell, whatever it starts with
    (openpyxl would make "=..." a formula), marked to stay text when edited, without the CSV's
    apostrophe; phones as pages show them. Without it, the value as openpyxl takes it."""
    if sheet is not None and isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        value = value[1:]  # the CSV's apostrophe: a text cell needs none
    if isinstance(value, Phones):
        value = "\n".join(pretty(line) for line in value.splitlines())
    if sheet is not None and isinstance(value, str) and value.startswith(FORMULA_STARTS):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        cell.quotePrefix = True
        return cell
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # Excel has no time zones; stored values are UTC
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dict, list)):
        return str(value)
    return value
