"""An import's link fields, checked a chunk at a time by the rule of every path
(crmkit.entities.linking): a row may point only at records its importer sees, one query per
entity pointed at, whatever the number of rows and fields."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit.entities import linking
from crmkit.entities.service import Records


class ImportLinks:
    """The link fields among an import's mapped fields, for one importer (``records``) and mode."""

    def __init__(self, records: Records, mapped: set[str], mode: str):
        self.records, self.mode = records, mode
        self.links = [link for link in linking.links_of(records.entity.schema) if mapped & set(link.names())]
        self.known = {entity.key for entity in current_app.extensions["crmkit"].entities}

    def keep(self, checked: list[tuple[int, dict[str, Any]]], existing: dict, keys: list[str], errors: list[list[Any]]) -> list:
        """The rows (number, values) whose links name records the importer sees; each other row's
        bad links go to ``errors``. A row updating a record (``existing``: (key, value) -> (id,
        owner), as the importer found them) may keep a link that record already holds."""
        if not self.links or not checked:
            return checked
        problems = self.broken([(values, None) for _number, values in checked])
        failing = [index for index, found in enumerate(problems) if found]
        if failing and self.mode == "update":
            matched = {index: hit[0] for index in failing if (hit := duplicate_of(checked[index][1], existing, keys))}
            stored = self.stored(set(matched.values()))
            again = self.broken([(checked[index][1], stored.get(record_id)) for index, record_id in matched.items()])
            for index, found in zip(matched, again, strict=True):
                problems[index] = found
        for index in failing:
            for name, messages in problems[index].items():
                errors.extend([checked[index][0], name, str(message)] for message in messages)
        return [row for row, found in zip(checked, problems, strict=True) if not found]

    def broken(self, rows: list) -> list[dict[str, Any]]:
        return linking.broken(rows, self.links, self.records.visible_in, self.known)

    def stored(self, ids: set[int]) -> dict[int, dict[str, Any]]:
        """The link fields' stored values of the given records, by id; one query."""
        if not ids:
            return {}
        table = self.records.model.__table__
        names = list(dict.fromkeys(name for link in self.links for name in link.names()))
        statement = select(table.c.id, *(table.c[name] for name in names)).where(table.c.id.in_(ids))
        return {row.id: dict(row._mapping) for row in self.records.db.execute(statement)}


def duplicate_of(values: dict[str, Any], existing: dict, keys: list[str]) -> Any:
    """The existing record a row duplicates on one of ``keys``, (id, owner_id), or None."""
    return next((existing[(key, values[key])] for key in keys if (key, values.get(key)) in existing), None)
