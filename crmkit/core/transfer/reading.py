"""Reading import files: CSV in UTF-8 or cp1251 with ``,`` ``;`` or tab, and XLSX.

The encoding is detected (a byte-order mark, then strict UTF-8, then charset-normalizer, which
tells cp1251 from its Cyrillic neighbours), the delimiter counted on the header line. Files are
read row by row, never whole, so a million rows cost what a thousand do in memory.
Row numbers are the ones a spreadsheet shows: the header is row 1, the first record row 2.
``converter`` turns a cell into what the entity's schema loads (Russian numbers, dates, да/нет).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from charset_normalizer import from_bytes
from marshmallow import fields as mf
from marshmallow import missing

SAMPLE_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t")
# What Russian and Kazakh offices actually send; narrower candidates make short samples reliable.
ENCODINGS = ["utf_8", "cp1251", "koi8_r", "cp866", "utf_16"]
FORMATS = ("csv", "xlsx")
TRUE_WORDS = {"да", "д", "иә", "ия", "yes", "y", "true", "1", "+", "x", "on"}
FALSE_WORDS = {"нет", "н", "жоқ", "no", "n", "false", "0", "-", "off"}
RU_DATE = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")


def normalise(text: Any) -> str:
    """A header or a label as compared: case, ё and runs of spaces, underscores and dots ignored."""
    text = str(text or "").casefold().replace("ё", "е")
    return re.sub(r"[\s_*:.]+", " ", text).strip()


class FileError(ValueError):
    """The file can't be read as a table; the message says why."""


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def detect_format(path: Path) -> str:
    """By content, not by name: an XLSX is a ZIP archive."""
    with open(path, "rb") as file:
        head = file.read(4)
    return "xlsx" if head == b"PK\x03\x04" else "csv"


def detect_encoding(sample: bytes) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        # A sample may end inside a multi-byte character; the incremental decoder forgives that.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=len(sample) < SAMPLE_BYTES)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=ENCODINGS).best()
    return best.encoding if best is not None else "cp1251"


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass
class Table:
    """A file of rows under a header; ``rows()`` can be called again to read from the start."""

    path: Path
    format: str
    columns: list[str]
    encoding: str | None = None
    delimiter: str | None = None

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(row number, cells) for every row after the header, blank ones included."""
        if self.format == "xlsx":
            yield from _xlsx_rows(self.path)
            return
        with self._text() as text:
            reader = csv.reader(text, delimiter=self.delimiter)
            next(reader, None)
            yield from enumerate(reader, start=2)

    def count(self) -> int:
        """How many rows follow the header (for progress bars)."""
        if self.format == "xlsx":
            return sum(1 for _ in self.rows())
        with self._text() as text:
            return max(sum(1 for _ in csv.reader(text, delimiter=self.delimiter)) - 1, 0)

    def _text(self):
        return open(self.path, encoding=self.encoding, newline="", errors="replace")


def _xlsx_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.active.iter_rows(values_only=True)
        next(rows, None)
        for number, cells in enumerate(rows, start=2):
            yield number, list(cells)
    finally:
        workbook.close()


def open_table(path: Path | str) -> Table:
    path = Path(path)
    kind = detect_format(path)
    if kind == "xlsx":
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(path, read_only=True, data_only=True)
            header = next(workbook.active.iter_rows(values_only=True, max_row=1), ())
            workbook.close()
        except Exception as error:  # a broken archive is a bad file, whatever broke
            raise FileError(str(error)) from error
        return Table(path, "xlsx", _header(header))
    with open(path, "rb") as file:
        sample = file.read(SAMPLE_BYTES)
    if b"\x00" in sample and not sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileError("not a CSV or XLSX file")
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="replace")
    first_line = io.StringIO(text).readline()
    delimiter = detect_delimiter(first_line)
    header = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    return Table(path, "csv", _header(header), encoding, delimiter)


def _header(cells) -> list[str]:
    columns = ["" if cell is None else str(cell).strip() for cell in cells]
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        raise FileError("the file has no header row")
    return columns


# cells to schema input
def typed_cell(raw: Any, schema_field: mf.Field) -> Any:
    """An XLSX cell that arrived as a date, number or boolean, as schema input."""
    if isinstance(raw, datetime):
        return raw.isoformat() if isinstance(schema_field, mf.DateTime) else raw.date().isoformat()
    if isinstance(raw, (date, time)):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer() and not isinstance(schema_field, (mf.Float, mf.Decimal)):
        raw = int(raw)
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return raw if isinstance(schema_field, mf.Number) else str(raw)
    return raw if isinstance(raw, bool) else str(raw)


def converter(schema_field: mf.Field, words: dict[str, str] | None = None) -> Callable[[Any], Any]:
    """A function from a file cell to schema input for one field, its checks decided once.

    Russian spellings are understood: ``1 500,50``, ``31.12.2026``, да/нет, иә/жоқ; ``words``
    maps a choice's labels (``normalise``d, every language) to its code: "Сайт" is ``website``.
    A link field's text is kept as typed, a name for crmkit.core.transfer.resolving to look up.
    A blank cell is None where the field allows it, else "not given" (``missing``), so defaults
    and the required-field check apply; a required text field gets its length check instead.
    """
    blank = None if schema_field.allow_none else "" if isinstance(schema_field, mf.String) and schema_field.required else missing
    boolean = isinstance(schema_field, mf.Boolean)
    link = bool(schema_field.metadata.get("link"))
    number = isinstance(schema_field, mf.Number) and not link
    dated = isinstance(schema_field, (mf.Date, mf.DateTime))
    codes = set((words or {}).values())

    def convert(raw: Any) -> Any:
        if raw is None:
            return blank
        if type(raw) is not str:
            return typed_cell(raw, schema_field)
        text = raw.strip()
        if not text:
            return blank
        if boolean:
            word = text.casefold()
            return True if word in TRUE_WORDS else False if word in FALSE_WORDS else text
        if number:
            text = text.replace("\u00a0", "").replace(" ", "")
            return text.replace(",", ".") if "," in text and "." not in text else text
        if dated and (found := RU_DATE.match(text)):
            day, month, year = found.groups()
            return f"{year}-{int(month):02d}-{int(day):02d}"
        if words and text not in codes:
            return words.get(normalise(text), text)
        return text

    return convert
