"""An import into an entity with a workflow (crmkit.entities.workflow) obeys it like any other
path: a new row must start in a state the workflow opens with, a row updating a record may only
make a move allowed from the record's state, the target's required fields must be filled and
plugins may refuse (workflow_transition_check); a refused row is reported, not saved. Each
record created and each state changed is stored as a transition, all in one INSERT per chunk;
like every import, plugins hear of them through records_imported, not entity_event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from crmkit.entities.errors import Invalid
from crmkit.entities.service import Records
from crmkit.entities.transitions import Transition, chained, close_stays
from crmkit.entities.workflow import check_move, fill_start, key_of

Row = tuple[int, dict[str, Any]]


class ImportMoves:
    """The workflow's rules for one importer (``records``) in one duplicate ``mode``."""

    def __init__(self, records: Records, mode: str):
        self.records, self.mode = records, mode
        self.workflow = records.entity.workflow

    def keep(self, checked: list[Row], existing: dict, keys: list[str], defaults: dict[str, Any], errors: list) -> list[Row]:
        """The rows whose moves the workflow allows; each other row's reasons go to ``errors``.
        ``existing``: (key, value) -> (id, owner) of stored records, as the importer found them by
        its dedup ``keys``; ``defaults``: a new row's values before its own."""
        if self.workflow is None or not checked:
            return checked
        hits = {number: hit for number, values in checked if (hit := stored_match(values, existing, keys))}
        if self.mode != "update":
            checked_rows = [(number, values) for number, values in checked if number not in hits]
            skipped = [(number, values) for number, values in checked if number in hits]  # left to the importer
            return self._allowed(checked_rows, {}, defaults, errors) + skipped
        model = self.records.model
        ids = {hit[0] for hit in hits.values()}
        stored = {r.id: r for r in self.records.db.execute(select(model).where(model.id.in_(ids))).scalars()} if ids else {}
        return self._allowed(checked, {n: stored.get(hit[0]) for n, hit in hits.items()}, defaults, errors)

    def _allowed(self, rows: list[Row], records: dict[int, Any], defaults: dict[str, Any], errors: list) -> list[Row]:
        kept = []
        entity, db, user = self.records.entity, self.records.db, self.records.user
        for number, values in rows:
            record = records.get(number)
            if record is None:
                fill_start(entity, db, values)  # a new row with no state starts where the workflow opens
            try:
                check_move(entity, db, user, record, values if record is not None else {**defaults, **values})
            except Invalid as refused:
                for name, messages in refused.fields.items():
                    errors.extend([number, name, str(message)] for message in messages)
                continue
            kept.append((number, values))
        return kept

    def store(self, ids: list[int], creates: list[dict[str, Any]], history: list[dict[str, Any]], now: datetime) -> None:
        """A transition for each record created (``ids``, ``creates``) and each state changed (the
        chunk's ``history`` entries), in one INSERT, after ending the changed records' stays."""
        if self.workflow is None:
            return
        field, key, user_id = self.workflow.field, self.records.entity.key, self.records.user.id
        rows = [(record_id, None, row.get(field)) for record_id, row in zip(ids, creates, strict=True)]
        rows += [
            (entry["record_id"], *entry["changes"][field])
            for entry in history
            if entry["action"] == "update" and field in entry["changes"]
        ]
        transitions = [
            {"entity": key, "record_id": record_id, "field": field, "from_state": key_of(old),
             "to_state": key_of(new), "user_id": user_id, "at": now}
            for record_id, old, new in rows
            if key_of(new) is not None
        ]
        if transitions:
            moved = sorted({row["record_id"] for row in transitions if row["from_state"] is not None})
            close_stays(self.records.db, key, moved, now)
            self.records.db.execute(insert(Transition.__table__), chained(transitions))


def stored_match(values: dict[str, Any], existing: dict, keys: list[str]) -> Any:
    """The stored record a row duplicates on one of ``keys``, (id, owner_id), or None."""
    return next((existing[(key, values[key])] for key in keys if (key, values.get(key)) in existing), None)
