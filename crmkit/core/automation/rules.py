"""Checking and saving rules: the same checks for the admin form, the API of files (`crmkit rules
apply`) and rules saved before a field was removed (the engine checks again before each run).

A rule in its JSON shape::

    {"name": "...", "entity": "deal", "enabled": true,
     "trigger": {"type": "state_entered", "state": "12"},
     "conditions": {"match": "all", "items": [{"field": "amount", "op": "gt", "value": "1000"}]},
     "actions": [{"type": "create_task", "subject": "Call", "assignee": "owner", "due_in": 3}]}
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select

from crmkit.core.automation import catalog, conditions, declared
from crmkit.core.automation.models import Rule
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

Problems = list[tuple[tuple, str]]  # (path in the rule, message in the user's language)
ASSIGNEES = ("owner", "manager", "creator")


class RuleInvalid(ValueError):
    """A rule that can't be saved; ``problems`` lists (path, message)."""

    def __init__(self, problems: Problems):
        super().__init__("; ".join(message for _path, message in problems))
        self.problems = problems


def entity_of(key: Any) -> Any:
    registry = current_app.extensions["crmkit"].entities
    return registry.get(key) if key in registry else None


def _param(entity: Any, param: catalog.Param, values: dict, part: str, path: tuple) -> tuple[Any, Problems]:
    """The parameter's value as stored, and what is wrong with it."""
    value = values.get(param.name)
    if value in (None, "", []):
        if param.required:
            return None, [(path, _("%(part)s: «%(param)s» is required.", part=part, param=param.label))]
        return param.default, []

    def bad(message: str) -> tuple[Any, Problems]:
        return None, [(path, f"{part}: {message}")]

    kind = param.kind
    if kind == "text":
        return (str(value), []) if len(str(value)) <= 2000 else bad(_("«%(param)s» is too long.", param=param.label))
    if kind == "int":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = -1
        return (number, []) if 0 <= number <= 100000 else bad(_("«%(param)s» must be a whole number from 0.", param=param.label))
    if kind in ("field", "date_field"):
        known = declared.date_fields(entity) if kind == "date_field" else declared.fields_of(entity)
        if value not in known:
            return bad(_("%(entity)s has no field «%(field)s».", entity=entity.label, field=value))
        return value, []
    if kind == "state":
        if str(value) not in {state.key for state in declared.states_of(entity)}:
            return bad(_("%(entity)s has no state «%(state)s».", entity=entity.label, state=value))
        return str(value), []
    if kind == "value":
        info = declared.fields_of(entity).get(values.get(param.of))
        if info is None:
            return value, []  # the field's own problem is reported
        try:
            return declared.plain(declared.typed(info, value)), []
        except declared.BadValue as error:
            return bad(_("the value of «%(field)s» must be %(expected)s.", field=info.label, expected=error.args[0]))
    if kind in ("user", "assignee"):
        if kind == "assignee" and value in ASSIGNEES:
            return value, []
        return _user(value, bad)
    if kind == "department":
        from crmkit.core.access.models import Department

        from crmkit import db

        try:
            found = db.session().get(Department, int(value))
        except (TypeError, ValueError):
            found = None
        return (found.id, []) if found is not None else bad(_("there is no department «%(value)s».", value=value))
    if kind == "choice":
        if str(value) not in {str(choice) for choice, _label in param.choices}:
            return bad(_("«%(value)s» is not one of the choices of «%(param)s».", value=value, param=param.label))
        return str(value), []
    if kind == "url":
        parts = urlsplit(str(value).strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return bad(_("the address must start with http:// or https://."))
        return str(value).strip(), []
    return value, []  # template: checked by its action


def _user(value: Any, bad) -> tuple[Any, Problems]:
    from crmkit import db
    from crmkit.core.auth.models import User

    try:
        user = db.session().get(User, int(value))
    except (TypeError, ValueError):
        user = None
    if user is None or not user.is_active:
        return bad(_("there is no active user «%(value)s».", value=value))
    return user.id, []


def _params(entity: Any, kind: Any, given: dict, part: str, path: tuple) -> tuple[dict, Problems]:
    cleaned: dict[str, Any] = {"type": kind.key}
    problems: Problems = []
    for param in kind.params:
        value, found = _param(entity, param, given, part, path + (param.name,))
        problems += found
        if value not in (None, ""):
            cleaned[param.name] = value
    unknown = sorted(set(given) - {p.name for p in kind.params} - {"type"})
    if unknown:
        problems.append((path + (unknown[0],), _("%(part)s: unknown parameter «%(param)s».", part=part, param=unknown[0])))
    return cleaned, problems


def check(data: dict) -> tuple[dict, Problems]:
    """The rule ``data`` as stored, and every problem found (empty: it may be saved)."""
    problems: Problems = []
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append((("name",), _("The rule needs a name.")))
    elif len(name) > 200:
        problems.append((("name",), _("The name is too long.")))
    entity = entity_of(data.get("entity"))
    if entity is None:
        return {}, problems + [(("entity",), _("There is no entity «%(entity)s».", entity=data.get("entity")))]
    rule = {"name": name, "entity": entity.key, "enabled": bool(data.get("enabled", True))}
    trigger = data.get("trigger") or {}
    kind = catalog.triggers().get(trigger.get("type"))
    if kind is None or not kind.usable_on(entity):
        problems.append((("trigger", "type"), _("Trigger: unknown trigger «%(trigger)s» for %(entity)s.",
                                                 trigger=trigger.get("type"), entity=entity.label)))
        rule["trigger"] = {}
    else:
        rule["trigger"], found = _params(entity, kind, trigger, _("Trigger (%(label)s)", label=kind.label), ("trigger",))
        problems += found
    rule["conditions"] = data.get("conditions") or {}
    problems += conditions.problems(entity, rule["conditions"])
    rule["conditions"] = _typed_conditions(entity, rule["conditions"]) if not problems else rule["conditions"]
    rule["actions"] = []
    given_actions = data.get("actions") or []
    if not given_actions:
        problems.append((("actions",), _("The rule needs at least one action.")))
    known = catalog.actions()
    for index, action in enumerate(given_actions, start=1):
        path = ("actions", index - 1)
        kind = known.get((action or {}).get("type"))
        if kind is None or not kind.usable_on(entity):
            problems.append((path + ("type",), _("Action %(n)d: unknown action «%(action)s» for %(entity)s.",
                                                 n=index, action=(action or {}).get("type"), entity=entity.label)))
            continue
        part = _("Action %(n)d (%(label)s)", n=index, label=kind.label)
        cleaned, found = _params(entity, kind, action, part, path)
        if not found and kind.check is not None and (reason := kind.check(entity, cleaned)):
            found = [(path, f"{part}: {reason}")]
        problems += found
        rule["actions"].append(cleaned)
    return rule, problems


def _typed_conditions(entity: Any, group: dict) -> dict:
    """Condition values as their fields hold them (``"12"`` -> 12 for a stage), stored as JSON."""
    known = declared.condition_fields(entity)
    items = []
    for item in group.get("items") or []:
        if "items" in item:
            items.append(_typed_conditions(entity, item))
        elif item["op"] in conditions.NO_VALUE:
            items.append({"field": item["field"], "op": item["op"]})
        elif item["op"] == "in":
            items.append({**item, "value": [declared.plain(declared.typed(known[item["field"]], v)) for v in item["value"]]})
        else:
            items.append({**item, "value": declared.plain(declared.typed(known[item["field"]], item.get("value")))})
    return {"match": group.get("match", "all"), "items": items} if items else {}


def save(db: Any, data: dict, user: Any, rule: Rule | None = None, commit: bool = True) -> Rule:
    """Create or change a rule after checking it; raises ``RuleInvalid``. A rule switched on
    starts its time trigger's window now: it acts on what happens from then on."""
    cleaned, problems = check(data)
    duplicate = db.execute(select(Rule.id).where(Rule.name == cleaned.get("name"))).scalar_one_or_none()
    if duplicate is not None and (rule is None or duplicate != rule.id):
        problems.append((("name",), _("There is already a rule named «%(name)s».", name=cleaned.get("name"))))
    if problems:
        raise RuleInvalid(problems)
    now = utcnow()
    if rule is None:
        rule = Rule(created_by_id=getattr(user, "id", None), created_at=now)
    if cleaned["enabled"] and (not rule.enabled or rule.checked_at is None or rule.trigger != cleaned["trigger"]):
        rule.checked_at = now
    for name in ("name", "entity", "trigger", "conditions", "actions", "enabled"):
        setattr(rule, name, cleaned[name])
    rule.updated_by_id, rule.updated_at = getattr(user, "id", None), now
    db.add(rule)
    if commit:
        db.commit()
    else:
        db.flush()
    from crmkit.core.automation import listening

    listening.forget()
    return rule


def set_enabled(db: Any, rule: Rule, enabled: bool, user: Any) -> None:
    if enabled and not rule.enabled:
        rule.checked_at = utcnow()
    rule.enabled, rule.updated_by_id, rule.updated_at = enabled, getattr(user, "id", None), utcnow()
    db.add(rule)
    db.commit()
    from crmkit.core.automation import listening

    listening.forget()


def as_data(rule: Rule) -> dict:
    """A stored rule in the shape ``check`` and ``save`` take."""
    return {"name": rule.name, "entity": rule.entity, "enabled": rule.enabled, "trigger": dict(rule.trigger or {}),
            "conditions": dict(rule.conditions or {}), "actions": [dict(a) for a in rule.actions or []]}
