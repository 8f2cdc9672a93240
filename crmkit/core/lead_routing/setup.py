"""Saving what admins set on the lead assignment page: rules (checked whole, saved whole or not at
all), their order, the fallback user and each channel's response deadline. Every change is in
the audit log in its own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from crmkit import audit
from crmkit.core.access.models import Department
from crmkit.core.auth.models import User
from crmkit.core.lead_routing import deadlines
from crmkit.core.lead_routing.engine import settings as stored_settings
from crmkit.core.lead_routing.models import SETTINGS_ID, STRATEGIES, Assignment, Pointer, RoutingSettings, Rule
from crmkit.db import utcnow
from crmkit.i18n import gettext as _

MAX_VALUES = 200  # values one condition of a rule may list
MAX_RULES = 500


class SetupError(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def rules(session: Any) -> list[Rule]:
    return list(session.execute(select(Rule).order_by(Rule.position, Rule.id).limit(MAX_RULES)).scalars())


def active_user(session: Any, raw: str | None) -> int | None:
    if not raw or not str(raw).isdigit():
        return None
    user = session.get(User, int(raw))
    return user.id if user is not None and user.is_active else None


def condition_values(form: Any, known: dict[str, Any], errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """``cond:<key>`` fields: ticked choices, or typed values one per line."""
    found: dict[str, list[str]] = {}
    for key, condition in known.items():
        raw = form.getlist(f"cond:{key}")
        values = [line.strip() for item in raw for line in str(item).splitlines() if line.strip()]
        if not values:
            continue
        if condition.choices:
            allowed = {str(value) for value, _label in condition.choices()}
            if any(v not in allowed for v in values):
                errors[f"cond:{key}"] = [_("Choose from the list.")]
                continue
        if len(values) > MAX_VALUES or any(len(v) > 200 for v in values):
            errors[f"cond:{key}"] = [_("At most %(count)d values of up to 200 characters each.", count=MAX_VALUES)]
            continue
        found[key] = list(dict.fromkeys(values))
    return found


def checked_rule(session: Any, form: Any, known: dict[str, Any]) -> dict[str, Any]:
    """The rule's values from the form, or ``SetupError`` with a message per field."""
    errors: dict[str, list[str]] = {}
    name = (form.get("name") or "").strip()
    if not name:
        errors["name"] = [_("Give the rule a name.")]
    elif len(name) > 200:
        errors["name"] = [_("Longer than maximum length 200.")]
    strategy = form.get("strategy")
    user_id = department_id = None
    if strategy not in STRATEGIES:
        errors["strategy"] = [_("Choose how the rule picks someone.")]
    elif strategy == "user":
        user_id = active_user(session, form.get("user_id"))
        if user_id is None:
            errors["user_id"] = [_("Choose an active user.")]
    else:
        raw = form.get("department_id") or ""
        department = session.get(Department, int(raw)) if raw.isdigit() else None
        if department is None:
            errors["department_id"] = [_("Choose the team (department) to take turns in.")]
        else:
            department_id = department.id
    found = condition_values(form, known, errors)
    if errors:
        raise SetupError(errors)
    return {"name": name, "strategy": strategy, "user_id": user_id, "department_id": department_id, "conditions": found,
            "active": bool(form.get("active")), "on_arrival": bool(form.get("on_arrival")),
            "working_hours_only": bool(form.get("working_hours_only"))}


def save_rule(session: Any, rule: Rule | None, form: Any, known: dict[str, Any], user: Any) -> Rule:
    values = checked_rule(session, form, known)
    if rule is None:
        last = session.execute(select(func.max(Rule.position))).scalar()
        rule = Rule(position=(last or 0) + 1, **values)
        session.add(rule)
        session.flush()
        session.add(Pointer(rule_id=rule.id, turns=0))
    else:
        for name, value in values.items():
            setattr(rule, name, value)
        rule.updated_at = utcnow()
    audit.record("lead_routing.changed", user=user, commit=False, session=session, rule=rule.name)
    session.commit()
    return rule


def move_rule(session: Any, rule: Rule, direction: str) -> None:
    """Swap the rule with its neighbour above or below, renumbering all of them 1, 2, 3..."""
    ordered = rules(session)
    index = ordered.index(rule)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered, start=1):
        each.position = position
    session.commit()


def delete_rule(session: Any, rule: Rule, user: Any) -> None:
    """Delete a rule; the leads it gave out keep their assignment log, without the rule."""
    for assignment in session.execute(select(Assignment).where(Assignment.rule_id == rule.id)).scalars():
        assignment.rule_id = None
    pointer = session.get(Pointer, rule.id)
    if pointer is not None:
        session.delete(pointer)
    session.flush()
    audit.record("lead_routing.changed", user=user, commit=False, session=session, deleted=rule.name)
    session.delete(rule)
    session.commit()


def save_settings(session: Any, form: Any, channel_keys: list[str], user: Any) -> RoutingSettings:
    """The fallback user and, per channel (``deadline:<key>``, ``deadline:*`` for the others),
    working minutes to answer in; empty means no deadline."""
    errors: dict[str, list[str]] = {}
    fallback = None
    if form.get("fallback_user_id"):
        fallback = active_user(session, form.get("fallback_user_id"))
        if fallback is None:
            errors["fallback_user_id"] = [_("Choose an active user.")]
    table: dict[str, int | None] = {}
    for key in [*channel_keys, deadlines.OTHERS]:
        raw = (form.get(f"deadline:{key}") or "").strip()
        if not raw:
            table[key] = None
        elif raw.isdigit() and 0 < int(raw) <= deadlines.MAX_MINUTES:
            table[key] = int(raw)
        else:
            errors[f"deadline:{key}"] = [_("Enter whole minutes from 1 to %(max)d, or leave it empty for no deadline.",
                                           max=deadlines.MAX_MINUTES)]
    if errors:
        raise SetupError(errors)
    row = session.get(RoutingSettings, SETTINGS_ID)
    if row is None:
        row = RoutingSettings(id=SETTINGS_ID)
        session.add(row)
    row.fallback_user_id, row.deadlines, row.updated_at = fallback, table, utcnow()
    audit.record("lead_routing.changed", user=user, commit=False, session=session, settings="deadlines")
    session.commit()
    return row


def current_deadlines(session: Any) -> dict[str, int | None]:
    return deadlines.deadlines(stored_settings(session).deadlines)
