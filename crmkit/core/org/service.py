"""Rules for users, roles and the org structure, shared by the admin pages and the commands.

Each function checks its input and raises ``OrgError`` with ``fields`` (field -> message in the
user's language); it leaves committing to the caller, so the change and its audit entry land together.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlmodel import Session

from crmkit.core.access.models import VISIBILITY_LEVELS, Department, Office, Role
from crmkit.core.access.policy import Access, department_subtree, subordinate_ids
from crmkit.core.auth import sessions
from crmkit.core.auth.models import User
from crmkit.core.auth.policy import password_problem
from crmkit.entities.declaration import ACTIONS
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_pgettext


class OrgError(ValueError):
    def __init__(self, fields: dict[str, str]):
        super().__init__(fields)
        self.fields = fields


def valid_timezone(name: str) -> bool:
    if not name or name not in available_timezones():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# users
def check_manager(db: Session, user: User | None, manager_id: int | None) -> str | None:
    """Why ``manager_id`` can't be the manager of ``user``, or None; refuses any cycle."""
    if manager_id is None:
        return None
    manager = db.get(User, manager_id)
    if manager is None:
        return _("No such user.")
    if user is not None and user.id is not None and manager_id in subordinate_ids(db, user.id):
        if manager_id == user.id:
            return _("A user cannot be their own manager.")
        return _("%(name)s reports to this user, directly or not; that would make a loop.", name=manager.name or manager.email)
    return None


def apply_user_changes(db: Session, user: User, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set name, role, department, manager, active and (optionally) a new password.

    Deactivating or a new password ends the user's sessions. Returns the changed fields as [old, new].
    """
    values = dict(values)
    errors: dict[str, str] = {}
    if values.get("role") is not None and db.get(Role, values["role"]) is None:
        errors["role"] = _("No such role.")
    if values.get("department_id") is not None and db.get(Department, values["department_id"]) is None:
        errors["department_id"] = _("No such department.")
    if problem := check_manager(db, user, values.get("manager_id")):
        errors["manager_id"] = problem
    password = values.pop("password", "") or ""
    if password and (problem := password_problem(password, user.email, values.get("name") or user.name)):
        errors["password"] = problem
    if errors:
        raise OrgError(errors)
    changes = {}
    for name, value in values.items():
        old = getattr(user, name)
        if old != value:
            changes[name] = [old, value]
            setattr(user, name, value)
    if password:
        user.set_password(password)
    if password or ("is_active" in changes and not user.is_active):
        sessions.end_all(db, user.id)
    db.add(user)
    return changes


# roles
# The roles the first migration creates, with the label it stored: shown in the viewer's language
# until an admin types another label.
BUILT_IN_ROLES = {
    "admin": ("Administrator", lazy_pgettext("role", "Administrator")),
    "manager": ("Manager", lazy_pgettext("role", "Manager")),
    "agent": ("Agent", lazy_pgettext("role", "Agent")),
}


def role_label(role: Role | None, name: str = "") -> str:
    """What a role is called on a page: a built-in role's label translated, an admin's as typed."""
    name = role.name if role is not None else name
    label = role.label if role is not None else ""
    built_in = BUILT_IN_ROLES.get(name)
    if built_in is not None and label in ("", built_in[0]):
        return str(built_in[1])
    return label or name


@dataclass(frozen=True)
class PermissionChoice:
    pattern: str
    label: Any


def permission_choices(permissions: dict, entities) -> dict[str, list[PermissionChoice]]:
    """The patterns a role may be given, by heading: everything and each action on every entity;
    each entity (its wildcard and actions); then each group of the other permissions ("Other"
    for those without one), by heading."""
    from crmkit.core.access.permissions import ACTION_LABELS

    every = _("Every entity")
    groups: dict[str, list[PermissionChoice]] = {
        _("Everything"): [PermissionChoice("*", _("Everything"))]
        + [PermissionChoice(f"*.{action}", _("%(entity)s: %(action)s", entity=every, action=ACTION_LABELS[action]))
           for action in ACTIONS]
    }
    entity_permissions = set()
    for entity in entities:
        group = [PermissionChoice(f"{entity.key}.*", _("%(entity)s: everything", entity=entity.label_plural))]
        for action in ACTIONS:
            name = entity.permission(action)
            entity_permissions.add(name)
            group.append(PermissionChoice(name, permissions[name].label))
        groups[str(entity.label_plural)] = group
    others: dict[str, list[PermissionChoice]] = {}
    for name, permission in sorted(permissions.items()):
        if name not in entity_permissions:
            others.setdefault(str(permission.group or _("Other")), []).append(PermissionChoice(name, permission.label))
    for heading in sorted(others):
        groups.setdefault(heading, []).extend(others[heading])
    return groups


def pattern_labels(groups: dict[str, list[PermissionChoice]]) -> dict[str, str]:
    """Each pattern a role may hold, as the role form words it."""
    return {choice.pattern: str(choice.label) for group in groups.values() for choice in group}


def save_role(
    db: Session, role: Role | None, name: str, label: str, patterns: list[str], visibility: dict[str, str],
    allowed: set[str], entity_keys: set[str], actor: User,
) -> tuple[Role, dict[str, list[Any]]]:
    errors: dict[str, str] = {}
    if role is None:
        if not name or not name.replace("_", "").isalnum() or not name.isascii() or name != name.lower():
            errors["name"] = _("Use lower-case latin letters, digits and underscores.")
        elif db.get(Role, name) is not None:
            errors["name"] = _("A role with this name already exists.")
    if not label.strip():
        errors["label"] = _("Enter a label.")
    kept = [p for p in (role.permissions if role else []) if p not in allowed]  # e.g. of a disabled plugin
    unknown = [p for p in patterns if p not in allowed]
    if unknown:
        errors["permissions"] = _("Unknown permission: %(name)s", name=", ".join(unknown))
    bad_levels = [k for k, v in visibility.items() if v not in VISIBILITY_LEVELS or (k != "*" and k not in entity_keys)]
    if bad_levels or "*" not in visibility:
        errors["visibility"] = _("Choose a visibility level for each entity.")
    new_permissions = sorted(set(patterns) | set(kept))
    holds_it = role is not None and actor.role == role.name
    if holds_it and not errors and not _grants(new_permissions, "core.manage_users"):
        errors["permissions"] = _("You hold this role; it must keep the permission to manage users.")
    if errors:
        raise OrgError(errors)
    role = role or Role(name=name)
    before = {"label": role.label, "permissions": list(role.permissions or []), "visibility": dict(role.visibility or {})}
    role.label, role.permissions, role.visibility = label.strip(), new_permissions, visibility
    after = {"label": role.label, "permissions": new_permissions, "visibility": visibility}
    db.add(role)
    return role, {k: [before[k], after[k]] for k in after if before[k] != after[k]}


def _grants(patterns: list[str], permission: str) -> bool:
    return any(fnmatchcase(permission, pattern) for pattern in patterns)  # as Access.can decides


# offices and departments
def save_office(db: Session, office: Office | None, name: str, address: str, timezone: str) -> Office:
    errors = {}
    if not name.strip():
        errors["name"] = _("Enter a name.")
    else:
        same = db.execute(select(Office).where(Office.name == name.strip())).scalar_one_or_none()
        if same is not None and same is not office:
            errors["name"] = _("An office with this name already exists.")
    if timezone and not valid_timezone(timezone):
        errors["timezone"] = _("Unknown time zone; use a name such as Asia/Almaty.")
    if errors:
        raise OrgError(errors)
    office = office or Office(name=name.strip())
    office.name, office.address, office.timezone = name.strip(), address.strip(), timezone or None
    db.add(office)
    return office


def save_department(
    db: Session, department: Department | None, name: str, office_id: int | None, parent_id: int | None, head_id: int | None
) -> Department:
    errors = {}
    if not name.strip():
        errors["name"] = _("Enter a name.")
    if office_id is not None and db.get(Office, office_id) is None:
        errors["office_id"] = _("No such office.")
    if parent_id is not None:
        if db.get(Department, parent_id) is None:
            errors["parent_id"] = _("No such department.")
        elif department is not None and department.id is not None and parent_id in department_subtree(db, department.id):
            errors["parent_id"] = _("A department cannot sit inside itself or one of its own sub-departments.")
    if head_id is not None and db.get(User, head_id) is None:
        errors["head_id"] = _("No such user.")
    if errors:
        raise OrgError(errors)
    department = department or Department(name=name.strip())
    department.name, department.office_id, department.parent_id, department.head_id = name.strip(), office_id, parent_id, head_id
    db.add(department)
    return department


def department_tree(db: Session) -> list[tuple[Office | None, list[tuple[int, Department]]]]:
    """Each office (None last, for departments without one) with its departments depth-first, with depth."""
    departments = list(db.execute(select(Department).order_by(Department.name)).scalars())
    children: dict[int | None, list[Department]] = {}
    for dep in departments:
        children.setdefault(dep.parent_id, []).append(dep)

    def walk(parent_id, depth, office_id):
        for dep in children.get(parent_id, []):
            if parent_id is not None or dep.office_id == office_id:
                yield depth, dep
                yield from walk(dep.id, depth + 1, office_id)

    offices: list[Office | None] = list(db.execute(select(Office).order_by(Office.name)).scalars())
    return [(office, list(walk(None, 0, office.id if office else None))) for office in offices + [None]]


# explaining access
@dataclass
class Explanation:
    user: User
    record: Any
    allowed: bool
    reason: str
    abilities: dict[str, bool]  # view, edit, archive, export: permission and visibility both


def explain(db: Session, user: User, entity, record: Any) -> Explanation:
    access = Access(db, user)
    decision = access.explain(entity.key, record)
    abilities = {a: decision.allowed and access.can(entity.permission(a)) for a in ("view", "edit", "archive", "export")}
    if not user.is_active:
        abilities = dict.fromkeys(abilities, False)
    return Explanation(user, record, decision.allowed, decision.reason, abilities)
