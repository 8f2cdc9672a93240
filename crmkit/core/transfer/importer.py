"""Importing rows into an entity: validated by the entity's schema, written in bulk.

Each row is checked with the entity's marshmallow schema (the same rules as its forms and API)
and saves whole or not at all: a row with any bad field is reported and left out. Good rows are
inserted with one multi-row INSERT per chunk, their history entries too, and the job's progress
is written in the same transaction, so an interrupted import resumes after its last chunk and
never saves a row twice.

Duplicates are found by the entity's ``dedup_keys``: a row matching an existing record on any
of them is skipped, updates that record (when the user sees it), or is created anyway.

Link fields follow the rule of every path (crmkit.entities.linking): a row may point only at
records its importer sees, checked for a whole chunk at once, one query per entity pointed at.
A link's cell may hold the record's number or its title (a user's email or name), looked up a
chunk at a time as well (crmkit.core.transfer.resolving); a choice's, its code or its label in
any language.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app
from marshmallow import ValidationError, missing
from pydantic_core import PydanticUndefined
from sqlalchemy import func, or_, select
from sqlmodel import Session

from crmkit import statistics
from crmkit.core.transfer.bulk import Inserter, paused_gc
from crmkit.core.transfer.links import ImportLinks
from crmkit.core.transfer.loading import RowLoader
from crmkit.core.transfer.mapping import choice_words
from crmkit.core.transfer.models import ImportJob
from crmkit.core.transfer.moves import ImportMoves
from crmkit.core.transfer.reading import converter
from crmkit.core.transfer.resolving import Names
from crmkit.db import among, utcnow
from crmkit.entities.declaration import EntityType
from crmkit.entities.extensions import strict_schema
from crmkit.entities.history import Change, diff, plain
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _
from crmkit.validation import translate, translate_messages

CHUNK_SIZE = 2000  # rows per transaction: 500 made commits and FTS5 segment merges ~10% of a people import
ANALYZE_AFTER = 1000  # records created by one run, after which the table's statistics are refreshed
RECORD_COLUMNS = ("id", "version", "owner_id", "created_by_id", "created_at", "updated_at", "archived_at", "extra")
PLAIN_TYPES = frozenset((str, int, float, bool))  # what history.plain keeps as it is


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[list[Any]] = field(default_factory=list)  # [row, field, message]

    @property
    def bad(self) -> int:
        return len({row for row, _f, _m in self.errors})


class Importer:
    """Imports rows for one user into one entity, with one mapping and one duplicate mode."""

    def __init__(self, entity: EntityType, user: Any, db: Session, mapping: dict[str, str], mode: str = "skip"):
        self.records = Records(entity, user, db)
        self.records.require("import")
        self.entity, self.user, self.db, self.mode = entity, user, db, mode
        self.model = entity.model
        self.table = entity.model.__table__
        declared = entity.schema._declared_fields
        self.schema = strict_schema(entity.schema)()  # whole numbers and dates as the API reads them
        self.plan = [(int(index), name, converter(declared[name], choice_words(declared[name]))) for index, name in mapping.items()]
        self.loader = RowLoader(self.schema, [name for _i, name, _c in self.plan])
        self.keys = [k for k in entity.dedup_keys if k in mapping.values()] if mode != "create" else []
        self.required = [name for name, f in declared.items() if f.required and not f.dump_only]
        self.load_defaults = {
            name: f.load_default for name, f in declared.items() if f.load_default is not missing and not f.dump_only
        }
        self.model_defaults = self._model_defaults()
        # A new row's defaults, decided once: values to copy, and factories to call per row.
        defaults = {**self.model_defaults, **self.load_defaults}
        self.constant_defaults = {name: value for name, value in defaults.items() if not callable(value)}
        self.default_factories = [(name, value) for name, value in defaults.items() if callable(value)]
        self.seen: dict[tuple[str, Any], Any] = {}
        self.history_fields = list(dict.fromkeys(name for _i, name, _c in self.plan))
        self.links = ImportLinks(self.records, {name for _i, name, _c in self.plan}, mode)
        self.names = Names(self.records, [name for _i, name, _c in self.plan])
        self.inserts = Inserter(db, self.table)
        self.history = Inserter(db, Change.__table__)
        self.moves = ImportMoves(self.records, mode)

    def _model_defaults(self) -> dict[str, Any]:
        found = {}
        for name, info in self.model.model_fields.items():
            if name in RECORD_COLUMNS or name not in self.table.c:
                continue
            if info.default_factory is not None:
                found[name] = info.default_factory
            elif info.default is not PydanticUndefined:
                found[name] = info.default
        return found

    # reading and checking rows
    def read(self, cells: list[Any]) -> dict[str, Any] | None:
        """The row's cells as schema input (names of linked records still names), None when blank."""
        data = {}
        width = len(cells)
        for index, name, convert in self.plan:
            value = convert(cells[index] if index < width else None)
            if value is not missing:
                data[name] = value
        if all(v is None or v == "" for v in data.values()):
            return None
        return data

    def load(self, number: int, data: dict[str, Any], errors: list[list[Any]]) -> dict[str, Any] | None:
        """The read row's valid values, or None after adding each bad field to ``errors``."""
        if self.loader.usable:
            try:
                return self.loader.load(data)
            except ValidationError:
                pass  # the schema itself reports every error of the row, worded as always
        try:
            return self.schema.load(data, partial=True)
        except ValidationError as error:
            for name, messages in translate_messages(error.messages).items():
                for message in messages if isinstance(messages, list) else [messages]:
                    errors.append([number, name, str(message)])
            return None

    def missing_required(self, number: int, values: dict[str, Any], errors: list[list[Any]]) -> bool:
        absent = [name for name in self.required if name not in values]
        for name in absent:
            errors.append([number, name, translate("Missing data for required field.")])
        return bool(absent)

    def new_row(self, values: dict[str, Any], now: datetime) -> dict[str, Any]:
        row = dict(self.constant_defaults)
        for name, factory in self.default_factories:
            row[name] = factory()
        row.update(values)
        row.update(
            version=1,
            owner_id=values.get("owner_id") or self.user.id,
            created_by_id=self.user.id,
            created_at=now,
            updated_at=now,
            archived_at=None,
            extra=values.get("extra") or {},
        )
        return row

    # duplicates
    def existing(self, chunk: list[tuple[int, dict[str, Any]]]) -> dict[tuple[str, Any], Any]:
        """Non-archived records sharing a dedup key value with the chunk: (key, value) -> (id, owner_id)."""
        if not self.keys:
            return {}
        conditions = []
        for key in self.keys:
            values = {v[key] for _n, v in chunk if v.get(key) not in (None, "")}
            if values:
                conditions.append(among(self.table.c[key], values, self.db.get_bind().dialect.name))
        if not conditions:
            return {}
        table = self.table
        columns = [table.c.id, table.c.owner_id, table.c.archived_at, *(table.c[k] for k in self.keys)]
        # Archived records are passed over here, not in SQL: most rows have no archived_at, and
        # SQLite would pick that index over the dedup key's and read the whole table.
        found = {}
        for row in self.db.execute(select(*columns).where(or_(*conditions))):
            if row.archived_at is not None:
                continue
            for key in self.keys:
                found.setdefault((key, row._mapping[key]), (row.id, row.owner_id))
        return found

    def match(self, values: dict[str, Any], known: dict[tuple[str, Any], Any]) -> Any:
        for key in self.keys:
            value = values.get(key)
            if value in (None, ""):
                continue
            hit = self.seen.get((key, value)) or known.get((key, value))
            if hit is not None:
                return hit
        return None

    # the run
    def run(
        self,
        rows: Iterable[tuple[int, list[Any]]],
        dry_run: bool = False,
        job: ImportJob | None = None,
        progress: Callable[[int], None] | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> Outcome:
        """Import ``rows`` (file row number, cells); with a job, rows it already holds are passed over."""
        outcome = Outcome()
        start_after = job.rows_done if job is not None else 1
        if job is not None:
            outcome.created, outcome.updated, outcome.skipped = job.rows_created, job.rows_updated, job.rows_skipped
            outcome.errors = list(job.errors)
        chunk: list[tuple[int, list[Any]]] = []
        for number, cells in rows:
            if number <= start_after:
                continue
            chunk.append((number, cells))
            if len(chunk) >= chunk_size:
                with paused_gc():
                    self._chunk(chunk, outcome, dry_run, job)
                if progress:
                    progress(len(chunk))
                chunk = []
        if chunk:
            with paused_gc():
                self._chunk(chunk, outcome, dry_run, job)
            if progress:
                progress(len(chunk))
        if job is not None and not dry_run:
            job.status = "done"
            job.updated_at = utcnow()
            self.db.add(job)
            self.db.commit()
        if not dry_run and outcome.created >= ANALYZE_AFTER:
            self.refresh_statistics()
        return outcome

    def refresh_statistics(self) -> None:
        """ANALYZE the table after a big import, so that its lists walk their sort index.

        Without statistics both engines serve ``archived_at IS NULL`` (true of every live row)
        from its index and sort the whole table to show one page; SQLite never analyses by
        itself, PostgreSQL only when autovacuum comes by (see crmkit/statistics.py).
        """
        statistics.refresh(self.db.connection(), [self.table.name])
        self.db.commit()

    def _chunk(self, chunk: list[tuple[int, list[Any]]], outcome: Outcome, dry_run: bool, job: ImportJob | None) -> None:
        errors: list[list[Any]] = []
        read = [(number, data) for number, cells in chunk if (data := self.read(cells)) is not None]
        unnamed = self.names.resolve(read, errors)  # names of linked records: one query per target
        checked = []
        for number, data in read:
            values = self.load(number, data, errors)
            if values and number not in unnamed:
                checked.append((number, values))
        known = self.existing(checked)
        checked = self.links.keep(checked, known, self.keys, errors)
        checked = self.moves.keep(checked, known, self.keys, self.constant_defaults, errors)
        if not dry_run:
            self.seen = {}  # earlier chunks are in the database now
        now = utcnow()
        creates: list[dict[str, Any]] = []
        updates: dict[int, dict[str, Any]] = {}
        created = updated = skipped = 0
        for number, values in checked:
            hit = self.match(values, known)
            if hit is None:
                if self.missing_required(number, values, errors):
                    continue
                creates.append(self.new_row(values, now))
                for key in self.keys:
                    if values.get(key) not in (None, ""):
                        self.seen[(key, values[key])] = ("new", len(creates) - 1)
                created += 1
            elif self.mode == "skip":
                skipped += 1
            elif hit[0] == "new":  # a duplicate of an earlier row of this file: it wins
                if not dry_run:
                    creates[hit[1]].update(values)
                updated += 1
            elif not self._may_edit(hit[1]):
                errors.append([number, self.keys[0], _("A record with this value exists and you cannot change it.")])
            else:
                updates.setdefault(hit[0], {}).update(values)
                updated += 1
        if not dry_run:
            self._write(creates, updates, now)
        outcome.rows += len(chunk)
        outcome.created += created
        outcome.updated += updated
        outcome.skipped += skipped
        outcome.errors.extend(errors)
        if not dry_run:
            if job is not None:
                self._progress(job, chunk[-1][0], outcome)
            self.db.commit()

    def _may_edit(self, owner_id: int | None) -> bool:
        ids = self.records.access.owner_ids(self.records.access.level(self.entity.key))
        return ids is None or owner_id in ids

    def _write(self, creates: list[dict[str, Any]], updates: dict[int, dict[str, Any]], now: datetime) -> None:
        """The chunk's new records, updates and history entries, all stamped ``now``; then the hook."""
        history = []
        ids: list[int] = []
        changed: list[int] = []
        if creates:
            ids = self._insert(creates)
            fields = self.history_fields
            for record_id, row in zip(ids, creates, strict=True):
                changes = {
                    name: [None, value if type(value) in PLAIN_TYPES else plain(value)]
                    for name in fields
                    if (value := row.get(name)) is not None
                }
                history.append(self._change(record_id, "create", changes, now))
        if updates:
            for record in self.db.execute(select(self.model).where(self.model.id.in_(list(updates)))).scalars():
                values = updates[record.id]
                changes = diff({name: getattr(record, name) for name in values}, values)
                if not changes:
                    continue
                for name, value in values.items():
                    setattr(record, name, value)
                record.updated_at = now
                history.append(self._change(record.id, "update", changes, now))
                changed.append(record.id)
            self.db.flush()
        if history:
            self.history.insert(history)
        self.moves.store(ids, creates, history, now)
        if ids or changed:
            pm = current_app.extensions["crmkit"].pm
            pm.hook.records_imported(entity=self.entity, created_ids=ids, updated_ids=changed, user=self.user)

    def _insert(self, creates: list[dict[str, Any]]) -> list[int]:
        """One executemany INSERT, then the new ids in insertion order.

        RETURNING with guaranteed row order makes SQLAlchemy insert row by row on SQLite, ten
        times slower; instead the chunk's rows share one ``created_at`` stamp and creator, and
        ids only grow, so the rows above the previous highest id with that stamp are this chunk's.
        """
        table = self.table
        highest = self.db.execute(select(func.max(table.c.id))).scalar() or 0
        self.inserts.insert(creates)
        stamp = creates[0]["created_at"]
        statement = select(table.c.id).where(
            table.c.id > highest, table.c.created_by_id == self.user.id, table.c.created_at == stamp
        )
        ids = list(self.db.execute(statement.order_by(table.c.id)).scalars())
        if len(ids) != len(creates):
            raise RuntimeError(f"import of {self.entity.key}: inserted {len(creates)} rows but found {len(ids)}")
        return ids

    def _change(self, record_id: int, action: str, changes: dict[str, Any], now: datetime) -> dict[str, Any]:
        return {
            "entity": self.entity.key,
            "record_id": record_id,
            "action": action,
            "user_id": self.user.id,
            "at": now,
            "changes": changes,
        }

    def _progress(self, job: ImportJob, last_row: int, outcome: Outcome) -> None:
        values = {
            "status": "running",
            "rows_done": last_row,
            "rows_ok": outcome.created + outcome.updated + outcome.skipped,
            "rows_bad": outcome.bad,
            "rows_created": outcome.created,
            "rows_updated": outcome.updated,
            "rows_skipped": outcome.skipped,
            "errors": list(outcome.errors),  # a new list, so the change is seen and written
            "updated_at": utcnow(),
        }
        for name, value in values.items():
            setattr(job, name, value)
        self.db.add(job)  # written by the chunk's commit, in the chunk's transaction


def resumable_job(db: Session, entity: EntityType, user: Any, digest: str, mapping: dict[str, str], mode: str) -> ImportJob | None:
    """An unfinished run of the same file, entity, user, mapping and mode, to continue."""
    statement = select(ImportJob).where(
        ImportJob.entity == entity.key,
        ImportJob.file_hash == digest,
        ImportJob.user_id == user.id,
        ImportJob.status == "running",
        ImportJob.mode == mode,
    )
    for job in db.execute(statement.order_by(ImportJob.id.desc())).scalars():
        if job.mapping == mapping:
            return job
    return None

