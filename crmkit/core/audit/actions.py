"""What audit actions are called and how an entry reads: the core's declarations, each plugin's
(``register_audit_actions``), and the sentence an entry's details make, with names instead of
ids, emails and codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.models import Department, Role
from crmkit.core.auth.models import User
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l
from crmkit.types import AuditAction

CORE_ACTIONS = [
    AuditAction("login", _l("Logged in")),
    AuditAction("login_failed", _l("Failed login"), _l("Failed login as %(email)s")),
    AuditAction("logout", _l("Logged out")),
    AuditAction("password_changed", _l("Password changed"), _l("Password of %(target)s changed")),
    AuditAction("session_ended", _l("Sessions ended"), _l("Sessions ended: %(ended)s")),
    AuditAction("two_factor_enabled", _l("Two-factor login on")),
    AuditAction("two_factor_disabled", _l("Two-factor login off")),
    AuditAction("two_factor_reset", _l("Two-factor login reset"), _l("Two-factor login of %(target)s reset")),
    AuditAction("user_created", _l("User created"), _l("User %(target)s created with the role %(role)s")),
    AuditAction("user_changed", _l("User changed"), _l("User %(target)s changed: %(changes)s")),
    AuditAction("role_changed", _l("Role saved"), _l("Role %(role)s saved: %(changes)s")),
    AuditAction("plugin_enabled", _l("Plugin enabled"), _l("Plugin %(plugin)s enabled")),
    AuditAction("plugin_disabled", _l("Plugin disabled"), _l("Plugin %(plugin)s disabled")),
    AuditAction("export", _l("Export"), _l("%(entity)s exported")),
    AuditAction("import", _l("Import"), _l("%(entity)s imported from %(file)s")),
    # Written by built-in plugins that declare nothing themselves; a declaration of theirs wins.
    AuditAction("demo.loaded", _l("Demo company loaded"), _l("Demo company loaded (size %(size)s, seed %(seed)s)")),
    AuditAction("targets_changed", _l("Sales targets changed"), _l("Sales targets of %(year)s changed: %(cells)s cells")),
    AuditAction("reports.export", _l("Report exported"), _l("Report %(report)s exported as %(format)s")),
]
# Details a sentence stands for already, or that say nothing to a reader.
QUIET_DETAILS = {"created", "job", "sort"}
DETAIL_LABELS = {
    "email": _l("Email"), "reason": _l("Reason"), "filters": _l("Filters"), "file": _l("File"),
    "updated": _l("Updated"), "skipped": _l("Skipped"), "bad": _l("With errors"), "format": _l("Format"),
    "ended": _l("Sessions ended"), "target": _l("User"), "role": _l("Role"), "entity": _l("Entity"),
    "rows": _l("Rows"), "report": _l("Report"), "profile": _l("Kind of company"),
}
DEMO_SIZES = {"small": _l("small"), "medium": _l("medium"), "large": _l("large")}
DEMO_PROFILES = {"agency": _l("real-estate agency"), "trading": _l("trading company")}
REASONS = {"throttled": _l("too many attempts"), "second factor": _l("wrong code")}
CHANGE_LABELS = {
    "name": _l("Full name"), "email": _l("Email"), "role": _l("Role"), "department_id": _l("Department"),
    "manager_id": _l("Manager"), "is_active": _l("Active"), "label": _l("Label"),
    "permissions": _l("Permissions"), "visibility": _l("Which records the role sees"),
}
ACTIONS_KEY = "crmkit_audit_actions"


def collect(pm) -> dict[str, AuditAction]:
    """The core's actions, then each plugin's declarations, a plugin's replacing the core's."""
    found = {action.name: action for action in CORE_ACTIONS}
    for declared in pm.hook.register_audit_actions():
        found |= {action.name: action for action in declared or []}
    return found


def registered() -> dict[str, AuditAction]:
    return current_app.extensions[ACTIONS_KEY]


def label_of(name: str) -> str:
    action = registered().get(name)
    return str(action.label) if action else name


@dataclass
class Names:
    """What a page of entries names: users by email and id, roles, departments, entities, plugins."""

    users: dict[Any, User] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    departments: dict[int, str] = field(default_factory=dict)
    entities: dict[str, Any] = field(default_factory=dict)
    patterns: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_entries(cls, entries) -> Names:
        from crmkit.core.org.service import pattern_labels, permission_choices

        session, state = db.session(), current_app.extensions["crmkit"]
        emails, ids = set(), set()
        for entry in entries:
            emails |= {v for k, v in entry.detail.items() if k in ("target", "email") and isinstance(v, str)}
            for key in ("manager_id",):
                change = entry.detail.get("changes", {}).get(key) if isinstance(entry.detail.get("changes"), dict) else None
                ids |= {v for v in change or [] if isinstance(v, int)}
            ids |= {entry.user_id} if entry.user_id else set()
        people = session.execute(select(User).where((User.email.in_(emails)) | (User.id.in_(ids)))).scalars() if emails or ids else []
        users: dict[Any, User] = {}
        for user in people:
            users[user.email], users[user.id] = user, user
        return cls(
            users=users,
            roles={r.name: r for r in session.execute(select(Role)).scalars()},
            departments=dict(session.execute(select(Department.id, Department.name)).all()),
            entities={e.key: e for e in state.entities},
            patterns=pattern_labels(permission_choices(state.permissions, list(state.entities))),
        )

    def person(self, email_or_id: Any) -> str:
        user = self.users.get(email_or_id)
        if user is None:
            return str(email_or_id)
        return f"{user.name} ({user.email})" if user.name else user.email

    def role(self, name: Any) -> str:
        from crmkit.core.org.service import role_label

        return role_label(self.roles.get(name), str(name))


def describe(entry, names: Names) -> str:
    """An entry as a sentence in the viewer's language, with what it left unsaid after it."""
    action = registered().get(entry.action)
    detail = dict(entry.detail or {})
    shown = {key: value_of(key, value, names, detail) for key, value in detail.items()}
    sentence, used = None, set()
    if action is not None and action.sentence is not None:
        template = str(action.sentence)
        try:
            sentence = template % shown
            used = {key for key in shown if f"%({key})" in template}
        except (KeyError, TypeError, ValueError):
            sentence = None
    parts = [sentence] if sentence else []
    rest = [f"{DETAIL_LABELS.get(key, names.entities[key].label_plural if key in names.entities else key)}: {shown[key]}"
            for key in detail if key not in used and key not in QUIET_DETAILS and shown[key] not in ("", None)]
    if rest:
        parts.append("; ".join(rest))
    return ". ".join(parts)


def value_of(key: str, value: Any, names: Names, detail: dict) -> Any:
    """One detail as a reader wants it: a person's name, a role's or entity's label, no codes."""
    if key in ("target", "email"):
        return names.person(value)
    if key == "role":
        return names.role(value)
    if key == "entity":
        entity = names.entities.get(value)
        return entity.label_plural if entity is not None else value
    if key == "format":
        return {"vcard": "vCard"}.get(value, str(value).upper())
    if key == "reason":
        return REASONS.get(value, value)
    if key == "size":
        return DEMO_SIZES.get(value, value)
    if key == "profile":
        return DEMO_PROFILES.get(value, value)
    if key == "changes" and isinstance(value, dict):
        return "; ".join(change_of(field_name, pair, names) for field_name, pair in value.items())
    if key == "filters" and isinstance(value, dict):
        entity = names.entities.get(detail.get("entity"))
        return ", ".join(f"{entity.field_label(k) if entity is not None else k}: {v}" for k, v in value.items()) or "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def change_of(field_name: str, pair: Any, names: Names) -> str:
    label = CHANGE_LABELS.get(field_name, field_name)
    if not isinstance(pair, list) or len(pair) != 2:
        return str(label)
    old, new = pair
    if field_name == "permissions":
        added = [names.patterns.get(p, p) for p in new or [] if p not in (old or [])]
        removed = [names.patterns.get(p, p) for p in old or [] if p not in (new or [])]
        said = ([_("added %(what)s", what=", ".join(added))] if added else []) + (
            [_("removed %(what)s", what=", ".join(removed))] if removed else [])
        return f"{label}: {'; '.join(said)}"
    if field_name == "visibility":
        from crmkit.core.org.views.roles import level_labels

        levels = level_labels()
        shown = [f"{_('Every entity') if k == '*' else names.entities[k].label_plural if k in names.entities else k}: "
                 f"{levels.get(v, v)}" for k, v in (new or {}).items() if (old or {}).get(k) != v]
        return f"{label}: {', '.join(shown)}"
    return f"{label}: {one_value(field_name, old, names)} → {one_value(field_name, new, names)}"


def one_value(field_name: str, value: Any, names: Names) -> str:
    if value is None or value == "":
        return "—"
    if field_name == "role":
        return names.role(value)
    if field_name == "department_id":
        return names.departments.get(value, str(value))
    if field_name == "manager_id":
        return names.person(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)

