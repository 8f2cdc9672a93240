"""Fields that point at a record, and the one rule they all follow: a value must name a record
that exists and that the acting user may see. ``Records.validate`` (forms, the API, jobs) and the
importer (a chunk at a time) both check through ``broken``, so no path writes a link to a record
its user can't see.

A schema field declares what it points at in its ``metadata``:

- ``{"link": "organization"}``: always a record of that entity (an entity's own fields, plugins'
  extension fields, admins' custom link fields); the value is an id, or a list of ids;
- ``{"link_entity_field": "about_entity"}``: a polymorphic pair, on the id field; its sibling
  ``about_entity`` holds the entity's key. A pair is set both or neither;
- ``{"link": "user"}`` (``USER``): a user of crmkit (a responsible, an investigator), whom anyone
  may name as long as the user is active; the value is the user's id.

A record the user can't see and a record that doesn't exist get the same message, so a refusal
never tells that a record exists. A record that already points somewhere the user no longer sees
(given away, moved to another department) stays editable: a link whose value is unchanged is not
checked again; one that changes must name a record the user sees.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crmkit.db import MAX_ID
from crmkit.i18n import gettext as _

Visible = Callable[[str, set[int]], set[int]]  # (entity key, ids) -> those the user sees; one query
USER = "user"  # the target of a field naming a user: not an entity, anyone active may be named


def active_users(db: Any, ids: set[int]) -> set[int]:
    """Which of ``ids`` are active users; one query."""
    from sqlalchemy import select

    from crmkit.core.auth.models import User

    if not ids:
        return set()
    return set(db.execute(select(User.id).where(User.id.in_(ids), User.is_active.is_(True))).scalars())


def _users_of(visible: Visible) -> Callable[[set[int]], set[int]]:
    """The active-user check through the session of the ``Records`` whose ``visible_in`` was given."""
    owner = getattr(visible, "__self__", None)
    if owner is not None and hasattr(owner, "db"):
        return lambda ids: active_users(owner.db, ids)
    from crmkit import db as database

    return lambda ids: active_users(database.session(), ids)


@dataclass(frozen=True)
class Link:
    """A field pointing at a record. ``path`` leads to it in loaded values: ``("organization_id",)``,
    or ``("custom", "referrer")`` in an extension group; either ``target`` (an entity's key) or
    ``entity_field`` (the sibling field naming the entity, for a pair) says what it points at."""

    path: tuple[str, ...]
    target: str | None = None
    entity_field: str | None = None

    @property
    def name(self) -> str:
        return self.path[-1]

    def names(self) -> tuple[str, ...]:
        """The fields whose values decide what the link points at."""
        return (self.name,) if self.entity_field is None else (self.name, self.entity_field)

    def pointer(self, values: Mapping[str, Any], before: Mapping[str, Any] | None = None) -> tuple[Any, Any] | None:
        """(entity key, id) that ``values`` set this link to, the stored ``before`` filling in the
        half of a pair a partial update leaves out; None when ``values`` don't touch the link."""
        given = _group(values, self.path)
        name, entity_field = self.path[-1], self.entity_field
        if given is None or (name not in given and entity_field not in given):
            return None
        stored = _group(before, self.path) if before is not None else None
        value = given.get(name) if name in given or stored is None else stored.get(name)
        if entity_field is None:
            return self.target, value
        target = given.get(entity_field) if entity_field in given or stored is None else stored.get(entity_field)
        return target, value


def _group(values: Mapping[str, Any] | None, path: tuple[str, ...]) -> Mapping[str, Any] | None:
    """The mapping holding the field at ``path`` (the values themselves, or an extension group)."""
    for key in path[:-1]:
        values = values.get(key) if isinstance(values, Mapping) else None
    return values if isinstance(values, Mapping) else None


def links_of(schema: Any, prefix: tuple[str, ...] = ()) -> list[Link]:
    """The link fields a marshmallow schema (class or instance) declares."""
    found = []
    for name, field in schema._declared_fields.items():
        if field.dump_only:
            continue
        if target := field.metadata.get("link"):
            found.append(Link((*prefix, name), target=target))
        elif entity_field := field.metadata.get("link_entity_field"):
            found.append(Link((*prefix, name), entity_field=entity_field))
    return found


def links_with_groups(schema: Any, parts: Iterable[Any]) -> list[Link]:
    """An entity's own link fields and those of its extension groups (plugins', admins')."""
    found = links_of(schema)
    for part in parts:
        found.extend(links_of(part.schema, (part.namespace,)))
    return found


def broken(
    rows: list[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
    links: list[Link],
    visible: Visible,
    known: Iterable[str],
) -> list[dict[str, Any]]:
    """For each (loaded values, stored values or None for a new record): messages by field, nested
    like marshmallow's, for the links naming no record the user sees (or, for ``USER`` links, no
    active user). One ``visible`` call (one query) per entity pointed at, however many rows and
    fields point at it."""
    known = set(known) | {USER}
    problems: list[dict[str, Any]] = [{} for _row in rows]
    wanted: dict[str, set[int]] = {}
    pending: list[tuple[int, Link, str, list[int]]] = []
    for link in links:
        plain = len(link.path) == 1 and link.entity_field is None and link.target in known
        for index, (values, before) in enumerate(rows):
            if plain and before is None:  # the common case, an import's every row: kept quick
                value = values.get(link.name)
                if value is None:
                    continue
                if type(value) is int and 0 < value <= MAX_ID:
                    wanted.setdefault(link.target, set()).add(value)
                    pending.append((index, link, link.target, [value]))
                    continue
            pointer = link.pointer(values, before)
            if pointer is None or (before is not None and pointer == link.pointer(before)):
                continue  # not given, or kept as it was
            target, ids, refusal = _judged(link, *pointer, known)
            if refusal:
                _add(problems[index], *refusal)
            elif ids:
                wanted.setdefault(target, set()).update(ids)
                pending.append((index, link, target, ids))
    users = _users_of(visible)
    seen = {target: users(ids) if target == USER else visible(target, ids) for target, ids in wanted.items()}
    for index, link, target, ids in pending:
        if not seen[target].issuperset(ids):
            _add(problems[index], link.path, _("Not an active user.") if target == USER else _("No such record."))
    return problems


def _judged(link: Link, target: Any, value: Any, known: set[str]) -> tuple[Any, list[int], tuple | None]:
    """What a link's value asks to look up, (target, ids, None), or why it is refused unlooked:
    (target, [], (path, message)). A field holds an id, or a list of ids of one entity."""
    ids = list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]
    if link.entity_field is not None and (value is None) != (not target):
        return target, [], (link.path, _("Give both the kind of record and its number."))
    if ids and target not in known and link.entity_field is not None:
        return target, [], ((*link.path[:-1], link.entity_field), _("Not a known kind of record."))
    if ids and (target not in known or not all(map(_possible_id, ids))):  # an entity whose plugin is off: nothing to check
        return target, [], (link.path, _("Not an active user.") if target == USER else _("No such record."))
    return target, ids, None


def _possible_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def _add(problems: dict[str, Any], path: tuple[str, ...], message: str) -> None:
    for key in path[:-1]:
        problems = problems.setdefault(key, {})
    problems.setdefault(path[-1], []).append(message)
