"""An import's cells that name what a form would let a person choose: a linked record by its
title (a person's organisation by its name), a user by email or name, as well as by id.

A chunk's names are looked up together, one query per entity (or the users) they point at,
among what the importing user sees (crmkit.entities.linking's rule): a name that matches
nothing visible and one that matches a hidden record get the same message. A name two visible
records share is reported as ambiguous; the row is left out, like any row with a bad field,
and the file can give the number instead. Choices by their label: crmkit.core.transfer.mapping.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import current_app
from sqlalchemy import or_, select

from crmkit.core.auth.models import User
from crmkit.db import among
from crmkit.entities.linking import USER
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

NUMBER = re.compile(r"[0-9]{1,19}")


class Names:
    """The link fields among an import's mapped fields, resolved a chunk at a time."""

    def __init__(self, records: Records, mapped: Iterable[str]):
        self.records = records
        declared = records.entity.schema._declared_fields
        entities = current_app.extensions["crmkit"].entities
        known = {entity.key for entity in entities}
        self.links = {name: target for name in dict.fromkeys(mapped)
                      if (target := declared[name].metadata.get("link")) and (target == USER or target in known)}

    def resolve(self, rows: list[tuple[int, dict[str, Any]]], errors: list[list[Any]]) -> set[int]:
        """Put the id in place of each name in ``rows`` (number, read values), in place; returns
        the numbers of rows with a name that names no single record, each reported in ``errors``
        by row and field (and the name taken out, so the row's other fields are still checked)."""
        if not self.links or not rows:
            return set()
        wanted: dict[str, set[str]] = {}
        for _number, data in rows:
            for name, target in self.links.items():
                value = data.get(name)
                if isinstance(value, str) and not NUMBER.fullmatch(value):
                    wanted.setdefault(target, set()).add(value)
        found = {target: self.users(names) if target == USER else self.titled(target, names) for target, names in wanted.items()}
        bad: set[int] = set()
        for number, data in rows:
            for name, target in self.links.items():
                value = data.get(name)
                if not isinstance(value, str) or NUMBER.fullmatch(value):
                    continue
                ids = found[target].get(value, [])
                if len(ids) == 1:
                    data[name] = ids[0]
                    continue
                errors.append([number, name, self.message(target, value, several=bool(ids))])
                del data[name]
                bad.add(number)
        return bad

    @staticmethod
    def message(target: str, value: str, several: bool) -> str:
        if target == USER:
            if several:
                return _("Several users are called %(name)s: give the email instead.", name=value)
            return _("No active user has the email or name %(name)s.", name=value)
        if several:
            return _("Several records are called %(name)s: give the number instead.", name=value)
        return _("No record is called %(name)s.", name=value)

    def titled(self, target: str, names: set[str]) -> dict[str, list[int]]:
        """Title -> ids (two at most) of the unarchived records of ``target`` the user sees; one query
        on the title's index."""
        entity = current_app.extensions["crmkit"].entities.get(target)
        records = Records(entity, self.records.user, self.records.db)
        if not records.can("view"):
            return {}
        title = getattr(records.model, entity.title_field)
        dialect = records.db.get_bind().dialect.name
        statement = records.select().with_only_columns(records.model.id, title).where(among(title, names, dialect))
        found: dict[str, list[int]] = {}
        for record_id, record_title in records.db.execute(statement.order_by(records.model.id)):
            ids = found.setdefault(record_title, [])
            if len(ids) < 2:
                ids.append(record_id)
        return found

    def users(self, names: set[str]) -> dict[str, list[int]]:
        """Email (any case) or name -> ids of active users; an email names one user, before any name."""
        emails = {name.strip().lower(): name for name in names if "@" in name}
        statement = select(User.id, User.name, User.email).where(
            User.is_active.is_(True), or_(User.email.in_(list(emails)), User.name.in_(list(names)))
        )
        by_email: dict[str, list[int]] = {}
        by_name: dict[str, list[int]] = {}
        for row in self.records.db.execute(statement.order_by(User.id)):
            if row.email in emails:
                by_email[emails[row.email]] = [row.id]
            if row.name in names:
                by_name.setdefault(row.name, []).append(row.id)
        return {**by_name, **by_email}
