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
from crmkit.core.auth.models import User
from crmkit.db import utcnow
from crmkit.entities import columns, extensions, linking, workflow
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Conflict, Forbidden, Invalid, NotFound, RecordError  # noqa: F401 - re-exported
from crmkit.entities.history import Change, diff, plain
from crmkit.entities.transitions import insert_row
from crmkit.i18n import gettext as _
from crmkit.validation import translate_messages


_loaders: dict[type, Any] = {}


def loader(schema: type, shared: bool) -> Any:
    """An instance of ``schema`` to load input with. ``shared``: the class lives as long as the
    process (an entity without extension groups), so its instance is made once: making one copies
    and binds every field, a fifth of a stage move's time, and ``load`` keeps no state on it."""
    if not shared:
        return schema()
    found = _loaders.get(schema)
    if found is None:
        found = _loaders[schema] = schema()
    return found


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
    def extension_groups(self) -> list[extensions.EntityExtension]:
        """The groups of fields other plugins and admins add to this entity (see extensions.py)."""
        return extensions.groups(self.entity, self.db)

    def values_of(self, record: Any) -> dict[str, Any]:
        """A record's own values and its extension fields, nested under each group's name."""
        return {**record.model_dump(), **extensions.current(self.db, record, self.extension_groups())}

    def validate(
        self, data: dict[str, Any], partial: bool, parts: list | None = None, record: Any = None
    ) -> dict[str, Any]:
        """``data`` loaded by the effective schema and checked against the columns and the links;
        ``record``: the one being changed, whose links may stay as they are (see linking.py)."""
        parts = self.extension_groups() if parts is None else parts
        schema = extensions.effective_schema(self.entity, parts)
        try:
            values = loader(schema, shared=not parts).load(data, partial=partial)
        except ValidationError as error:
            raise Invalid(translate_messages(error.messages)) from error
        if too_big := columns.problems(self.model, values):  # what the schema allows but the column can't hold
            raise Invalid(too_big)
        if broken := self.broken_links(values, parts, record):
            raise Invalid(broken)
        return values

    def broken_links(self, values: dict[str, Any], parts: list, record: Any = None) -> dict[str, Any]:
        """Messages for the link fields (own, plugins', custom) naming no record this user sees;
        a link ``record`` already holds is let be (checked again only when some link fails)."""
        links = linking.links_with_groups(self.entity.schema, parts)
        if not links:
            return {}
        known = {entity.key for entity in current_app.extensions["crmkit"].entities}
        broken = linking.broken([(values, None)], links, self.visible_in, known)[0]
        if broken and record is not None:
            broken = linking.broken([(values, self.values_of(record))], links, self.visible_in, known)[0]
        return broken

    def visible_in(self, entity_key: str, ids: set[int]) -> set[int]:
        """Which of ``ids`` name records of ``entity_key`` this user sees, archived ones too; one query."""
        return Records(current_app.extensions["crmkit"].entities.get(entity_key), self.user, self.db).visible_ids(ids)

    def visible_ids(self, ids: set[int]) -> set[int]:
        """Which of ``ids`` name records of this entity the user sees, archived ones too; one query."""
        if not ids or not self.can("view"):
            return set()
        model = self.model
        dialect = self.db.get_bind().dialect.name
        statement = self.select(include_archived=True).with_only_columns(model.id).where(database.among(model.id, ids, dialect))
        return set(self.db.execute(statement).scalars())

    def create(self, data: dict[str, Any], commit: bool = True) -> Any:
        """Validate, write and commit a new record; ``commit=False`` leaves the commit to the
        caller, whose transaction it joins (a record made as part of another change)."""
        self.require("create")
        parts = self.extension_groups()
        values = self.validate(data, partial=False, parts=parts)
        if self.entity.workflow is not None:
            workflow.fill_start(self.entity, self.db, values)
        move = self._checked_move(None, values)
        own, grouped = extensions.split(values, parts)
        record = self.model(**own)
        record.owner_id = record.owner_id or self.user.id
        record.created_by_id = self.user.id
        extensions.save_light(record, parts, grouped)
        self._emit("before_create", record, values)
        self.db.add(record)
        self.db.flush()
        extensions.save_typed(self.db, record, parts, grouped)
        self._log(record, "create", diff({}, extensions.flatten(values, parts)))
        self._moved(record, move)
        self._emit("after_create", record, values)
        if commit:
            self.db.commit()
        return record

    def update(self, record: Any, data: dict[str, Any], version: int | None) -> Any:
        """Apply ``data``; ``version`` is the one the editor saw, None to skip the check (bulk)."""
        self.require("edit")
        parts = self.extension_groups()
        values = self.validate(data, partial=True, parts=parts, record=record)
        after = extensions.flatten(values, parts)
        if version is not None and version != record.version:
            raise self._conflict(record, after)
        move = self._checked_move(record, values)
        own, grouped = extensions.split(values, parts)
        before = {name: getattr(record, name) for name in own}
        before.update(extensions.flatten(extensions.current(self.db, record, parts), parts))
        changes = diff(before, after)
        if not changes:
            return record
        for name, value in own.items():
            setattr(record, name, value)
        extensions.save_light(record, parts, grouped)
        extensions.save_typed(self.db, record, parts, grouped)
        record.updated_at = utcnow()
        return self._save(record, "update", changes, after, move)

    def assign_owner(self, record: Any, owner_id: int) -> Any:
        """Give the record to another user; needs edit permission on it, like any change."""
        self.require("edit")
        owner = self.db.get(User, owner_id)
        if owner is None or not owner.is_active:
            raise Invalid({"owner_id": [_("Not a valid user.")]})
        if owner_id == record.owner_id:
            return record
        changes = {"owner_id": [record.owner_id, owner_id]}
        record.owner_id = owner_id
        record.updated_at = utcnow()
        return self._save(record, "update", changes, {"owner_id": owner_id})

    def archive(self, record: Any, version: int | None = None, permission: str = "archive") -> Any:
        """``permission``: the action that allows it; merging archives the duplicate under ``edit``
        (the merge itself checks ``core.merge``)."""
        self.require(permission)
        if version is not None and version != record.version:
            raise self._conflict(record, {"archived_at": "archive"})
        record.archived_at = utcnow()
        return self._save(record, "archive", {}, {})

    def restore(self, record: Any, permission: str = "archive") -> Any:
        self.require(permission)
        record.archived_at = None
        return self._save(record, "restore", {}, {})

    # internals
    def _save(self, record: Any, action: str, changes: dict, values: dict, move: workflow.Move | None = None) -> Any:
        """The record's UPDATE, its history row and its transition go in one flush; a stale
        version rolls all three back."""
        self._emit(f"before_{action}", record, changes)
        self._log(record, action, changes)
        if move is not None:
            workflow.record_move(self.db, self.entity.key, record.id, move, self.user.id)
        try:
            self.db.flush()
        except StaleDataError:
            self.db.rollback()
            raise self._conflict(self.db.get(self.model, record.id), values) from None
        if move is not None:
            self._emit("after_transition", record, move.changes)
        self._emit(f"after_{action}", record, changes)
        self.db.commit()
        return record

    def _checked_move(self, record: Any, values: dict[str, Any]) -> workflow.Move | None:
        """The workflow's verdict on the state ``values`` give the record (None: a new one)."""
        if self.entity.workflow is None:
            return None
        return workflow.check_move(self.entity, self.db, self.user, record, values)

    def _moved(self, record: Any, move: workflow.Move | None) -> None:
        """Store a move once the record is written, then tell plugins."""
        if move is not None:
            workflow.record_move(self.db, self.entity.key, record.id, move, self.user.id)
            self._emit("after_transition", record, move.changes)

    def _conflict(self, record: Any, attempted: dict[str, Any]) -> Conflict:
        """Keep the rejected values in the history, then report both versions."""
        self.db.refresh(record)
        saved = extensions.flatten(self.values_of(record), self.extension_groups())
        kept = {name: [plain(saved.get(name)), plain(value)] for name, value in attempted.items()}
        self._log(record, "conflict", kept)
        self.db.commit()
        return Conflict(record, attempted)

    def _log(self, record: Any, action: str, changes: dict) -> None:
        insert_row(self.db, Change, entity=self.entity.key, record_id=record.id, action=action, user_id=self.user.id,
                   changes=changes, at=utcnow())

    def _emit(self, event: str, record: Any, changes: dict) -> None:
        pm = current_app.extensions["crmkit"].pm
        pm.hook.entity_event(event=event, entity=self.entity, record=record, changes=changes, user=self.user)
