"""Objects from a CSV or XLSX file, all or nothing: each row is checked by the entity's schema and
rules as a form would be, its photos (paths beside the file, or http(s) addresses) attached;
one bad row, field or photo and nothing is saved, every problem reported by row and field."""

from __future__ import annotations

import csv
import io
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from crmkit import api
from crmkit_real_estate.objects import KEY

messages = api.Messages(__name__)
_ = messages.gettext
PHOTOS = "photos"  # a column of paths or addresses, separated by ";", "|" or new lines
AGENT = "agent"  # the responsible agent's email (else the user importing)
MAX_DOWNLOAD = 30 * 1024 * 1024
TIMEOUT = 20


class FileProblem(ValueError):
    """The file itself can't be read (format, encoding, no header)."""


@dataclass
class Outcome:
    created: list[int] = field(default_factory=list)
    photos: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, field, message)


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as ``(row number, {header: text})``, the header being row 1."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(path, read_only=True, data_only=True).active
        except Exception as error:  # noqa: BLE001 - any unreadable workbook is the same problem
            raise FileProblem(_("Not an XLSX workbook: %(error)s", error=error)) from error
        raw = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    else:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1251")
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t") if text.strip() else csv.excel
        raw = list(csv.reader(io.StringIO(text), dialect))
    if not raw or not any(raw[0]):
        raise FileProblem(_("The file has no header row."))
    header = [name.strip().lower() for name in raw[0]]
    return [(number, dict(zip(header, (cell.strip() for cell in row), strict=False)))
            for number, row in enumerate(raw[1:], start=2) if any(cell.strip() for cell in row)]


def photo_sources(text: str) -> list[str]:
    return [part.strip() for part in text.replace("|", ";").replace("\n", ";").split(";") if part.strip()]


def fetch(source: str, folder: Path) -> tuple[bytes, str]:
    """A photo's bytes and name: an http(s) address downloaded, else a path (relative to the file)."""
    scheme = urllib.parse.urlparse(source).scheme.lower()
    if scheme in ("http", "https"):
        request = urllib.request.Request(source, headers={"User-Agent": "crmkit-real-estate import"})
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - http(s) only, checked above
            data = answer.read(MAX_DOWNLOAD + 1)
        if len(data) > MAX_DOWNLOAD:
            raise ValueError(_("larger than %(mb)s MB", mb=MAX_DOWNLOAD // (1024 * 1024)))
        return data, Path(urllib.parse.urlparse(source).path).name or "photo"
    if scheme:
        raise ValueError(_("only files and http(s) addresses can be read"))
    path = Path(source) if Path(source).is_absolute() else folder / source
    if not path.is_file():
        raise ValueError(_("no such file"))
    return path.read_bytes(), path.name


def row_input(values: dict[str, str], known: set[str]) -> tuple[dict, list[tuple[str, str]]]:
    """The schema's input from a row: known columns, empty cells left out; unknown columns refused."""
    data = {name: value for name, value in values.items() if name in known and value != ""}
    unknown = [(name, _("Unknown column.")) for name in values if name not in known | {PHOTOS, AGENT, ""}]
    return data, unknown


def import_file(path: Path, user) -> Outcome:
    """Check and write every row in one transaction; commit only when no row has a problem."""
    rows = read_rows(path)
    records = api.Records(KEY, user)
    records.require("create")
    known = {name for name, f in records.entity.schema._declared_fields.items() if not f.dump_only}
    db, outcome = api.session(), Outcome()
    for number, values in rows:
        data, problems = row_input(values, known)
        if email := values.get(AGENT):
            agent = api.find_user(email=email)
            if agent is None:
                problems.append((AGENT, _("No active user has this email.")))
            else:
                data["owner_id"] = agent.id
        outcome.errors += [(number, name, message) for name, message in problems]
        if problems:
            continue
        try:
            with db.begin_nested():
                owner = data.pop("owner_id", None)
                record = records.create(data, commit=False)
                if owner is not None:
                    record.owner_id = owner
                for source in photo_sources(values.get(PHOTOS, "")):
                    try:
                        content, name = fetch(source, path.parent)
                        api.attach_file(KEY, record, content, name, kind="photo", user=user)
                        outcome.photos += 1
                    except (OSError, ValueError) as error:
                        outcome.errors.append((number, PHOTOS, f"{source}: {getattr(error, 'message', error)}"))
                outcome.created.append(record.id)
        except api.Invalid as error:
            for name, found in sorted(error.fields.items()):
                text = "; ".join(map(str, found)) if isinstance(found, list) else str(found)
                outcome.errors.append((number, name, text))
    if outcome.errors:
        db.rollback()
        outcome.created, outcome.photos = [], 0
    else:
        db.commit()
    return outcome
