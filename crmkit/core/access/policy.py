"""Permission checks and record visibility, decided in this one place for every path.

Pages, lists, search, export, reports, the API and background jobs all ask an ``Access`` for
the user they act for. A role grants permissions by pattern and a visibility level per entity:

- own: records the user owns;
- subordinates: also records owned by everyone who reports to the user, directly or not;
- department: records owned by members of the user's department and the departments under it;
- all: every record, including unowned ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from flask import abort, g, has_request_context
from flask_login import current_user
from sqlalchemy import select
from sqlmodel import Session

from crmkit import db as database
from crmkit.core.access.models import Department, Role
from crmkit.core.auth.models import User
from crmkit.i18n import gettext as _


@dataclass(frozen=True)
class Decision:
    """Whether a user sees a record, and the rule that decided it, in words."""

    allowed: bool
    reason: str


def pattern_rank(pattern: str) -> tuple[int, int]:
    """More specific patterns win: fewer wildcards, then longer."""
    return (-pattern.count("*"), len(pattern))


class Access:
    """What one user may do and see; cheap to build, caches its lookups."""

    def __init__(self, db: Session, user: User):
        self.db = db
        self.user = user
        self.role = db.get(Role, user.role) if user.role else None
        self._owner_ids: dict[str, frozenset[int] | None] = {}

    # permissions
    def can(self, permission: str) -> bool:
        patterns = self.role.permissions if self.role else []
        return any(fnmatchcase(permission, pattern) for pattern in patterns)

    # visibility
    def level(self, entity_key: str) -> str:
        rules: dict[str, Any] = self.role.visibility if self.role else {}
        matching = [p for p in rules if fnmatchcase(entity_key, p)]
        if not matching:
            return "own"
        return rules[max(matching, key=pattern_rank)]

    def owner_ids(self, level: str) -> frozenset[int] | None:
        """Owners whose records this user sees at ``level``; None means every record."""
        if level == "all":
            return None
        if level not in self._owner_ids:
            self._owner_ids[level] = frozenset(self._compute_owner_ids(level))
        return self._owner_ids[level]

    def _compute_owner_ids(self, level: str) -> set[int]:
        if level == "subordinates":
            return set(subordinate_ids(self.db, self.user.id))
        if level == "department" and self.user.department_id is not None:
            departments = department_subtree(self.db, self.user.department_id)
            members = self.db.execute(select(User.id).where(User.department_id.in_(departments))).scalars()
            return set(members) | {self.user.id}
        return {self.user.id}

    def scope(self, statement, model, entity_key: str):
        """Narrow a SELECT over ``model`` to the records this user sees."""
        ids = self.owner_ids(self.level(entity_key))
        if ids is None:
            return statement
        return statement.where(model.owner_id.in_(ids))

    def sees(self, entity_key: str, record: Any) -> bool:
        ids = self.owner_ids(self.level(entity_key))
        return ids is None or record.owner_id in ids

    def explain(self, entity_key: str, record: Any) -> Decision:
        """Answer "why can this user see this record?" with the rule that decided."""
        level = self.level(entity_key)
        role = self.role.name if self.role else _("no role")
        owner = self.db.get(User, record.owner_id) if record.owner_id else None
        owner_name = (owner.name or owner.email) if owner else _("nobody")
        allowed = self.sees(entity_key, record)
        reasons = {
            "all": _("Role %(role)s sees every record of this kind.", role=role),
            "own": _("Role %(role)s sees only records the user owns; the owner is %(owner)s.", role=role, owner=owner_name),
            "subordinates": _(
                "Role %(role)s sees the user's records and those of everyone who reports to them; the owner is %(owner)s.",
                role=role,
                owner=owner_name,
            ),
            "department": _(
                "Role %(role)s sees records owned by the user's department and the departments under it; "
                "the owner is %(owner)s.",
                role=role,
                owner=owner_name,
            ),
        }
        return Decision(allowed, reasons[level])


def subordinate_ids(db: Session, manager_id: int) -> list[int]:
    """The user and everyone below them in the manager tree (a recursive query, any depth)."""
    tree = select(User.id).where(User.id == manager_id).cte("tree", recursive=True)
    tree = tree.union(select(User.id).join(tree, User.manager_id == tree.c.id))
    return list(db.execute(select(tree.c.id)).scalars())


def department_subtree(db: Session, department_id: int) -> list[int]:
    tree = select(Department.id).where(Department.id == department_id).cte("deps", recursive=True)
    tree = tree.union(select(Department.id).join(tree, Department.parent_id == tree.c.id))
    return list(db.execute(select(tree.c.id)).scalars())


def access_for(db: Session, user: User) -> Access:
    """The Access of ``user``, built once per request."""
    if not has_request_context():
        return Access(db, user)
    cached = g.get("crmkit_access")
    if cached is None or cached.user.id != user.id:
        cached = g.crmkit_access = Access(db, user)
    return cached


def user_can(user: Any, permission: str) -> bool:
    """Whether ``user`` (logged in or not) holds ``permission``."""
    return bool(user.is_authenticated) and access_for(database.session(), user).can(permission)


def requiring(permission: str) -> Callable[[], None]:
    """A ``before_request`` handler that refuses, with 403, everyone without ``permission``."""

    def check() -> None:
        if not user_can(current_user, permission):
            abort(403)

    return check
