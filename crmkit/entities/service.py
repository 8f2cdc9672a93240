"""Every read and write of an entity's records, for one user: permission and visibility checks,
validation, optimistic locking, history and events. Pages, the API, import and jobs all use it,
so a rule enforced here holds on every path.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from crmkit import db as database
from crmkit.core.access.policy import Access, access_for
from crmkit.db import utcnow
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Conflict, Forbidden, Invalid, NotFound, RecordError
from crmkit.entities.history import Change, diff, plain
from crmkit.validation import translate_messages


class Records:
    def __init__(self, entity: EntityType, user: Any, db: Session | None = None):
        self.entity = entity
        self.model = entity.model
        self.user = user
        self.db = db or database.session()
        self.access: Access = access_for(self.db, user)

    # checks
    def can(self, action: str) -> bool:
        return self.access.can(self.entity.permission(action))

    def require(self, action: str) -> None:
        if not self.can(action):
            raise Forbidden(self.entity.permission(action))

    # reading
    def select(self, include_archived: bool = False):
        """A SELECT of the records this user sees; callers add filters, order and limits."""
        self.require("view")
        statement = select(self.model)
        if not include_archived:
            statement = statement.where(self.model.archived_at.is_(None))
        return self.access.scope(statement, self.model, self.entity.key)

    def get(self, record_id: int) -> Any:
        self.require("view")
        record = self.db.get(self.model, record_id)
        if record is None or not self.access.sees(self.entity.key, record):
            raise NotFound(record_id)
        return record

    def history(self, record: Any, limit: int = 50, before_id: int | None = None) -> list[Change]:
        statement = select(Change).where(Change.entity == self.entity.key, Change.record_id == record.id)
        if before_id is not None:
            statement = statement.where(Change.id < before_id)
        return list(self.db.execute(statement.order_by(Change.id.desc()).limit(limit)).scalars())

    # writing
    def validate(self, data: dict[str, Any], partial: bool) -> dict[str, Any]:
        try:
            return self.entity.schema().load(data, partial=partial)
        except ValidationError as error:
            raise Invalid(translate_messages(error.messages)) from error

    def create(self, data: dict[str, Any]) -> Any:
        self.require("create")
        values = self.validate(data, partial=False)
        record = self.model(**values)
        record.owner_id = record.owner_id or self.user.id
        record.created_by_id = self.user.id
        self._emit("before_create", record, values)
        self.db.add(record)
        self.db.flush()
        self._log(record, "create", diff({}, values))
        self._emit("after_create", record, values)
        self.db.commit()
        return record

    def update(self, record: Any, data: dict[str, Any], version: int | None) -> Any:
        """Apply ``data``; ``version`` is the one the editor saw, None to skip the check (bulk)."""
        self.require("edit")
        values = self.validate(data, partial=True)
        if version is not None and version != record.version:
            raise self._conflict(record, values)
        before = {name: getattr(record, name) for name in values}
        changes = diff(before, values)
        if not changes:
            return record
        for name, value in values.items():
            setattr(record, name, value)
        record.updated_at = utcnow()
        return self._save(record, "update", changes, values)

    def archive(self, record: Any, version: int | None = None) -> Any:
        self.require("archive")
        if version is not None and version != record.version:
            raise self._conflict(record, {"archived_at": "archive"})
        record.archived_at = utcnow()
        return self._save(record, "archive", {}, {})

    def restore(self, record: Any) -> Any:
        self.require("archive")
        record.archived_at = None
        return self._save(record, "restore", {}, {})

    # internals
    def _save(self, record: Any, action: str, changes: dict, values: dict) -> Any:
        self._emit(f"before_{action}", record, changes)
        try:
            self.db.flush()
        except StaleDataError:
            self.db.rollback()
            raise self._conflict(self.db.get(self.model, record.id), values) from None
        self._log(record, action, changes)
        self._emit(f"after_{action}", record, changes)
        self.db.commit()
        return record

    def _conflict(self, record: Any, attempted: dict[str, Any]) -> Conflict:
        """Keep the rejected values in the history, then report both versions."""
        self.db.refresh(record)
        kept = {name: [plain(getattr(record, name, None)), plain(value)] for name, value in attempted.items()}
        self._log(record, "conflict", kept)
        self.db.commit()
        return Conflict(record, attempted)

    def _log(self, record: Any, action: str, changes: dict) -> None:
        self.db.add(
            Change(entity=self.entity.key, record_id=record.id, action=action, user_id=self.user.id, changes=changes)
        )

    def _emit(self, event: str, record: Any, changes: dict) -> None:
        pm = current_app.extensions["crmkit"].pm
        pm.hook.entity_event(event=event, entity=self.entity, record=record, changes=changes, user=self.user)
