"""Merging two people or two organisations into one, and undoing it, each in one transaction.

A merge updates the kept record's fields through ``Records.update`` (validation, locking,
history, events), lets every plugin move its rows (``records_merged``), archives the other
record through ``Records.archive`` and writes a "merge" entry on both. ``Records`` commits after
each write, so here it works on the request's session with ``commit`` turned into ``flush``:
the merge commits once, at the end, and any failure rolls all of it back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db as database
from crmkit.core.contacts import phones
from crmkit.entities import extensions, forms
from crmkit.entities.declaration import EntityType
from crmkit.entities.errors import Forbidden, NotFound, RecordError
from crmkit.entities.history import Change, plain
from crmkit.entities.service import Records
from crmkit.i18n import gettext as _

MERGEABLE = ("person", "organization")
PERMISSION = "core.merge"
COMBINED = {"other_phones": "phone", "other_emails": "email"}  # the rest of a kind, beside the main one
PICKS = ("kept", "merged", "both")


class MergeError(RecordError):
    """A merge or an undo that can't be done; the message says why, for the person asking."""

    status = 409

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class OneTransaction:
    """The request's session for ``Records``, whose ``commit`` only flushes."""

    def __init__(self, session):
        self.session = session

    def commit(self) -> None:
        self.session.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.session, name)


@dataclass
class Choice:
    """A field whose value differs between the two records, and the value kept by default."""

    field: forms.FormField
    kept: Any
    merged: Any
    both: Any = None  # other phones or emails of both records together
    default: str = "kept"

    @property
    def name(self) -> str:
        return self.field.name

    @property
    def picks(self) -> tuple[str, ...]:
        return PICKS if self.both is not None else PICKS[:2]


def empty(value: Any) -> bool:
    return value is None or value == "" or value is False or value == [] or value == {}


def lines(value: Any) -> list[str]:
    return [line.strip() for line in str(value or "").splitlines() if line.strip()]


def combined(values: list[Any], main: Any, kind: str) -> str | None:
    """Every phone (or email) of the values, once, without the main one, one per line."""
    key = str.casefold if kind == "email" else str
    seen = {key(main)} if main else set()
    found = []
    for value in values:
        for line in lines(value):
            if key(line) not in seen:
                seen.add(key(line))
                found.append(line)
    return "\n".join(found) or None


def call_each(hook_name: str, only: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    """Call each plugin's implementation on its own, keeping its answer under the plugin's name.

    With ``only``, call just the plugins named in it, each given its own entry as ``moved``.
    """
    pm = current_app.extensions["crmkit"].pm
    answers = {}
    for impl in getattr(pm.hook, hook_name).get_hookimpls():
        if impl.hookwrapper or getattr(impl, "wrapper", False) or (only is not None and impl.plugin_name not in only):
            continue
        given = {**kwargs, "moved": only[impl.plugin_name]} if only is not None else kwargs
        answer = impl.function(*[given[name] for name in impl.argnames])
        if answer is not None:
            answers[impl.plugin_name] = plain(answer)
    return answers


class Merger:
    """Merges and un-merges records of one entity for one user."""

    def __init__(self, entity: EntityType, user: Any):
        if entity.key not in MERGEABLE:
            raise NotFound(entity.key)
        self.entity, self.user = entity, user
        self.session = database.session()
        self.records = Records(entity, user, OneTransaction(self.session))
        self.parts = self.records.extension_groups()
        self.fields = forms.build(entity, {}, {}) + [
            f for group in forms.build_groups(self.parts, {}, {}) for f in group.fields
        ]

    # checks
    def allowed(self) -> bool:
        records = self.records
        return records.access.can(PERMISSION) and records.can("edit")

    def require(self) -> None:
        if not self.allowed():
            raise Forbidden(PERMISSION)

    def pair(self, keep_id: int, merge_id: int) -> tuple[Any, Any]:
        """The two records, if this user may merge them."""
        self.require()
        kept, merged = self.records.get(keep_id), self.records.get(merge_id)
        if kept.id == merged.id:
            raise MergeError(_("A record can't be merged with itself."))
        if kept.is_archived or merged.is_archived:
            raise MergeError(_("Archived records can't be merged; restore them first."))
        return kept, merged

    # fields
    def values(self, record: Any) -> dict[str, Any]:
        flat = extensions.flatten(self.records.values_of(record), self.parts)
        return {f.name: plain(flat.get(f.name)) for f in self.fields}

    def choices(self, kept: Any, merged: Any) -> list[Choice]:
        """The fields that differ; by default the kept record's value unless it is empty."""
        a, b = self.values(kept), self.values(merged)
        found = []
        for field in self.fields:
            name = field.name
            both = None
            if name in COMBINED:
                main = COMBINED[name]
                both = combined([a[main], a[name], b[main], b[name]], a[main], main)
            if a[name] == b[name] and (both is None or both == a[name]):
                continue
            choice = Choice(field, a[name], b[name], both)
            if both is not None and both not in (a[name], b[name]):
                choice.default = "both"
            elif empty(a[name]) and not empty(b[name]):
                choice.default = "merged"
            found.append(choice)
        return found

    def chosen(self, kept: Any, merged: Any, picks: dict[str, str]) -> dict[str, Any]:
        """The new values of the kept record's fields, by the picks (default where none)."""
        a, b = self.values(kept), self.values(merged)
        result: dict[str, Any] = {}
        choices = self.choices(kept, merged)
        for choice in choices:
            pick = picks.get(choice.name) if picks.get(choice.name) in choice.picks else choice.default
            if pick != "both":
                result[choice.name] = choice.kept if pick == "kept" else choice.merged
        for choice in choices:
            if choice.name in COMBINED and choice.name not in result:
                main = COMBINED[choice.name]
                kept_main = result.get(main, a[main])
                result[choice.name] = combined([a[main], a[choice.name], b[main], b[choice.name]], kept_main, main)
        if self.entity.key == "organization" and result.get("parent_id", a["parent_id"]) in (kept.id, merged.id):
            result["parent_id"] = b["parent_id"] if b["parent_id"] not in (kept.id, merged.id) else None
        return {name: value for name, value in result.items() if value != a[name]}

    def input_of(self, changes: dict[str, Any], record: Any, typed: dict[str, str]) -> dict[str, Any]:
        """Schema input for ``Records.update``: groups nested, phones as they were typed."""
        if "phone" in changes or "other_phones" in changes:
            now = self.values(record)
            main = changes.get("phone", now["phone"])
            others = changes.get("other_phones", now["other_phones"])
            changes = {**changes, "phone": typed.get(main, main) if main else main}
            changes["other_phones"] = "\n".join(typed.get(p, p) for p in lines(others)) or None
        data: dict[str, Any] = {}
        names = {p.namespace for p in self.parts}
        for key, value in changes.items():
            group, _dot, name = key.partition(".")
            if name and group in names:
                data.setdefault(group, {})[name] = value
            else:
                data[key] = value
        return data

    # merge and undo
    def merge(self, kept: Any, merged: Any, picks: dict[str, str], kept_version: int, merged_version: int) -> Change:
        try:
            change = self._merge(kept, merged, picks, kept_version, merged_version)
        except BaseException:
            self.session.rollback()
            raise
        self.session.commit()
        return change

    def _merge(self, kept, merged, picks, kept_version, merged_version) -> Change:
        if kept_version != kept.version or merged_version != merged.version:
            raise MergeError(_("Someone changed one of these records in the meantime; check them again."))
        before = self.values(kept)
        changes = self.chosen(kept, merged, picks)
        typed = {**(getattr(merged, "phones_typed", None) or {}), **(getattr(kept, "phones_typed", None) or {})}
        self.records.update(kept, self.input_of(changes, kept, typed), version=kept_version)
        after = self.values(kept)
        fields = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
        moved = call_each("records_merged", entity=self.entity, kept=kept, merged=merged, user=self.user)
        self.records.archive(merged, version=merged_version, permission="edit")  # core.merge allows it
        change = self._log(kept, "merge", {"merged_id": merged.id, "kept_id": kept.id, "fields": fields, "moved": moved})
        self._log(merged, "merge", {"merged_into": kept.id, "merge_id": change.id})
        self._emit("after_merge", kept, fields)
        return change

    def merge_entry(self, change_id: int) -> Change:
        """The kept record's "merge" history entry, if it can still be undone by this user."""
        self.require()
        change = self.session.get(Change, change_id)
        if change is None or change.entity != self.entity.key or change.action != "merge" or "merged_id" not in change.changes:
            raise NotFound(change_id)
        self.records.get(change.record_id)  # the user must see the kept record
        if change.changes.get("kept_id", change.record_id) != change.record_id:
            raise MergeError(_("The record was merged into another one since; undo that merge first."))
        later = select(Change.changes).where(
            Change.entity == change.entity, Change.record_id == change.record_id,
            Change.action == "unmerge", Change.id > change.id,
        )
        if any(found.get("merge_id") == change.id for found in self.session.execute(later).scalars()):
            raise MergeError(_("This merge has already been undone."))
        return change

    def undo(self, change: Change) -> tuple[Change, dict[str, list]]:
        """Undo a merge; returns the "unmerge" entry and the fields left alone (changed since)."""
        try:
            result = self._undo(change)
        except BaseException:
            self.session.rollback()
            raise
        self.session.commit()
        return result

    def _undo(self, change: Change) -> tuple[Change, dict[str, list]]:
        kept = self.records.get(change.record_id)
        merged = self.records.get(change.changes["merged_id"])
        if merged.is_archived:
            self.records.restore(merged, permission="edit")
        now = self.values(kept)
        restore, conflicts = {}, {}
        for name, (old, new) in (change.changes.get("fields") or {}).items():
            if name not in now:
                continue
            if now[name] == new:
                restore[name] = old
            else:
                conflicts[name] = [new, now[name]]
        typed = {**(getattr(merged, "phones_typed", None) or {}), **(getattr(kept, "phones_typed", None) or {})}
        if restore:
            self.records.update(kept, self.input_of(restore, kept, typed), version=None)
        moved = change.changes.get("moved") or {}
        call_each("records_unmerged", only=moved, entity=self.entity, kept=kept, merged=merged, user=self.user)
        after = self.values(kept)
        fields = {name: [now[name], after[name]] for name in restore if now[name] != after[name]}
        details = {"merge_id": change.id, "merged_id": merged.id, "fields": fields, "conflicts": conflicts}
        entry = self._log(kept, "unmerge", details)
        self._log(merged, "unmerge", {"merge_id": change.id, "kept_id": kept.id})
        self._emit("after_unmerge", kept, fields)
        return entry, conflicts

    def _log(self, record: Any, action: str, changes: dict[str, Any]) -> Change:
        change = Change(entity=self.entity.key, record_id=record.id, action=action, user_id=self.user.id, changes=changes)
        self.session.add(change)
        self.session.flush()
        return change

    def _emit(self, event: str, record: Any, changes: dict[str, Any]) -> None:
        """``after_merge`` and ``after_unmerge`` reach entity_event, so derived data (the phone
        and email index) follows the kept record."""
        pm = current_app.extensions["crmkit"].pm
        pm.hook.entity_event(event=event, entity=self.entity, record=record, changes=changes, user=self.user)


def pretty_value(field: forms.FormField, value: Any, titles: dict[int, str]) -> str:
    """A field's value as the merge page shows it."""
    if empty(value) and value is not False:
        return "—"
    if value is True or value is False:
        return _("yes") if value else _("no")
    if field.choices:
        return str(dict(field.choices).get(str(value), value))
    if field.link:
        return titles.get(value, f"#{value}")
    if field.name in ("phone", "other_phones"):
        return "\n".join(phones.pretty(p) for p in lines(value))
    return str(value)
