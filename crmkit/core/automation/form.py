"""The rule form: its inputs built from what the entity declares, and a posted form read back
into a rule's data. It works without JavaScript: changing the entity, the trigger or an action's
kind and pressing "Update the form" shows the inputs of the new choice; there is always one empty
condition row and one empty action row to fill.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.automation import actions as builtin_actions
from crmkit.core.automation import catalog, conditions, declared

OPTIONS_LIMIT = 500  # users and departments offered in a select


def options(db: Any, entity: Any, param: catalog.Param, values: dict) -> list[tuple[str, str]] | None:
    """The choices of a select for ``param``, or None for a text input."""
    kind = param.kind
    if kind == "field":
        return [(name, str(info.label)) for name, info in declared.fields_of(entity).items()]
    if kind == "date_field":
        return [(name, str(info.label)) for name, info in declared.date_fields(entity).items()]
    if kind == "state":
        return [(state.key, str(state.label)) for state in declared.states_of(entity)]
    if kind == "choice":
        return [(str(value), str(label)) for value, label in param.choices]
    if kind in ("user", "assignee"):
        users = db.execute(select(User).where(User.is_active.is_(True)).order_by(User.name, User.id).limit(OPTIONS_LIMIT)).scalars()
        people = [(str(user.id), f"{user.name or user.email} <{user.email}>") for user in users]
        if kind == "assignee":
            return [(key, str(label)) for key, label in builtin_actions.WHO.items()] + people
        return people
    if kind == "department":
        found = db.execute(select(Department).order_by(Department.name).limit(OPTIONS_LIMIT)).scalars()
        return [(str(d.id), d.name) for d in found]
    if kind == "value":
        info = declared.fields_of(entity).get(values.get(param.of))
        if info is not None and info.kind in ("choice", "user", "bool"):
            if info.kind == "bool":
                return [("true", "✓"), ("false", "✗")]
            if info.kind == "user":
                return options(db, entity, catalog.Param(param.name, param.label, "user"), values)
            return [(str(choice), declared.choice_label(entity, info.name, choice)) for choice in info.choices]
    return None


def _params(form: Any, prefix: str, kind: Any) -> dict:
    found = {"type": kind.key}
    for param in kind.params:
        value = (form.get(f"{prefix}-{param.name}") or "").strip()
        if value != "":
            found[param.name] = value
    return found


def _value(form: Any, name: str, op: str) -> Any:
    raw = (form.get(name) or "").strip()
    if op == "in":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def read(form: Any) -> dict:
    """A rule's data from the posted form (unchecked: ``rules.check`` says what is wrong)."""
    data: dict[str, Any] = {"name": form.get("name", ""), "entity": form.get("entity", ""), "enabled": form.get("enabled") == "1"}
    trigger = catalog.triggers().get(form.get("trigger"))
    data["trigger"] = _params(form, f"trigger-{trigger.key}", trigger) if trigger is not None else {"type": form.get("trigger")}
    items = json.loads(form.get("kept_groups") or "[]")  # nested groups from a file, kept as they are
    for index in range(int(form.get("condition_rows") or 0)):
        field, op = form.get(f"condition-{index}-field"), form.get(f"condition-{index}-op")
        if not field or form.get(f"condition-{index}-remove"):
            continue
        item = {"field": field, "op": op}
        if op not in conditions.NO_VALUE:
            item["value"] = _value(form, f"condition-{index}-value", op)
        items.append(item)
    data["conditions"] = {"match": form.get("match", "all"), "items": items} if items else {}
    data["actions"] = []
    for index in range(int(form.get("action_rows") or 0)):
        key = form.get(f"action-{index}-type")
        if not key or form.get(f"action-{index}-remove"):
            continue
        kind = catalog.actions().get(key)
        data["actions"].append(_params(form, f"action-{index}-{key}", kind) if kind is not None else {"type": key})
    return data


def rows(data: dict) -> dict:
    """What the template shows: the flat condition rows (plus an empty one), nested groups kept
    aside, the action rows (plus an empty one)."""
    items = (data.get("conditions") or {}).get("items") or []
    flat = [{**item, "value": ", ".join(map(str, item["value"]))} if isinstance(item.get("value"), list) else item
            for item in items if "items" not in item]
    groups = [item for item in items if "items" in item]
    return {"conditions": flat + [{}], "groups": groups, "actions": list(data.get("actions") or []) + [{}]}
