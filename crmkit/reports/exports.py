"""A report's table as CSV or XLSX: the figures as numbers, the headings and names translated.

Text cells go through the entity export's ``neutralise`` (a leading apostrophe on what a
spreadsheet would run as a formula), as a group's name is data someone typed.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

from crmkit.core.transfer.exporter import neutralise, text_cell, xlsx_cell
from crmkit.reports.declaration import Result

NUMBER_FORMATS = {"money": "#,##0.00", "decimal": "#,##0.##", "percent": "0.0\"%\"", "int": "#,##0"}


def table(result: Result) -> tuple[list[str], list[list[Any]]]:
    """Headings and rows, the totals last; names neutralised, numbers kept as numbers."""
    headings = [neutralise(str(column.label)) for column in result.columns]
    rows = [*result.rows, result.totals] if result.totals else list(result.rows)
    body = [[cell(row.values.get(column.name), column.kind) for column in result.columns] for row in rows]
    return headings, body


def cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if isinstance(value, (int, float, Decimal, date)) and not isinstance(value, bool):
        return value
    return neutralise(str(value))


def csv_text(result: Result) -> str:
    """UTF-8 with a byte-order mark, so Excel reads Cyrillic."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    headings, body = table(result)
    writer.writerow(headings)
    for row in body:
        writer.writerow([text_cell(value) for value in row])
    return buffer.getvalue()


def xlsx_bytes(result: Result, title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(ch for ch in title if ch not in "[]:*?/\\")[:31] or "report"
    headings, body = table(result)
    sheet.append(headings)
    for column_cell in sheet[1]:
        column_cell.font = Font(bold=True)
    for row in body:
        sheet.append([xlsx_cell(value) for value in row])
    for index, column in enumerate(result.columns, start=1):
        number_format = NUMBER_FORMATS.get(column.kind)
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = 14 if index > 1 else 32
        if number_format:
            for (value_cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                value_cell.number_format = number_format
    if result.totals:
        for total_cell in sheet[sheet.max_row]:
            total_cell.font = Font(bold=True)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
