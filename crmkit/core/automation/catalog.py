"""The kinds of triggers and actions rules are built from: the built-in ones and those plugins
declare through the ``automation_triggers`` and ``automation_actions`` hooks.

A trigger or an action lists its parameters (``Param``); the admin form, validation and the
YAML files all read that list, so a plugin's own trigger or action gets them without more code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import current_app

PARAM_KINDS = ("text", "int", "field", "date_field", "state", "value", "user", "department", "template",
               "assignee", "choice", "url")


@dataclass(frozen=True)
class Param:
    """One parameter of a trigger or an action.

    :param name: its key in the rule (``days``, ``field``).
    :param label: shown on the form; a lazy gettext string.
    :param kind: ``text``, ``int`` (whole number from 0), ``field`` (a field of the entity),
        ``date_field`` (a date or time field of its table), ``state`` (a workflow state),
        ``value`` (a value of the field named by the parameter ``of``), ``user``, ``department``,
        ``template`` (an email template's key), ``assignee`` (``owner``, ``manager``, ``creator``
        or a user), ``choice`` (one of ``choices``: pairs of value and label) or ``url``.
    :param required: whether a rule must give it.
    :param default: the value when left out.
    """

    name: str
    label: Any
    kind: str = "text"
    required: bool = True
    default: Any = None
    choices: tuple[tuple[str, Any], ...] = ()
    of: str | None = None

    def __post_init__(self):
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"param {self.name!r}: kind must be one of {', '.join(PARAM_KINDS)}")


@dataclass(frozen=True)
class Trigger:
    """What starts a rule.

    :param key: unique name (a plugin's starts with its name: ``telephony.call_missed``).
    :param label: shown on the form.
    :param params: its ``Param`` values.
    :param applies: ``(entity) -> bool``: whether rules on that entity may use it (default: all).
    :param matches: ``(params, facts) -> bool``: whether a firing with these facts starts a rule
        with these params (default: always). A plugin fires its trigger with
        ``crmkit.core.automation.fire(key, entity, record, user, **facts)``.
    :param timed: built-in time triggers are checked by the periodic job, not fired.
    """

    key: str
    label: Any
    params: tuple[Param, ...] = ()
    applies: Callable[[Any], bool] | None = None
    matches: Callable[[dict, dict], bool] | None = None
    timed: bool = False

    def usable_on(self, entity: Any) -> bool:
        return self.applies is None or bool(self.applies(entity))


@dataclass(frozen=True)
class ActionType:
    """Something a rule does.

    :param key: unique name (a plugin's starts with its name).
    :param label: shown on the form.
    :param params: its ``Param`` values.
    :param run: ``(context, params) -> str``: do it and say what was done. A local action runs in
        the record's transaction (``context.db``); one that talks to the outside should queue a
        job with ``api.enqueue_after_commit``.
    :param describe: ``(context, params) -> str``: what it would do, for a dry run.
    :param check: ``(entity, params) -> str | None``: a reason the params are wrong, beyond
        their kinds (optional).
    :param applies: ``(entity) -> bool``: whether rules on that entity may use it.
    """

    key: str
    label: Any
    run: Callable[[Any, dict], Any]
    describe: Callable[[Any, dict], Any]
    params: tuple[Param, ...] = ()
    check: Callable[[Any, dict], Any] | None = None
    applies: Callable[[Any], bool] | None = None

    def usable_on(self, entity: Any) -> bool:
        return self.applies is None or bool(self.applies(entity))


@dataclass
class Context:
    """What an action is given: the rule, the record and its entity, who acts, and the session."""

    rule: Any
    entity: Any
    record: Any
    user: Any
    db: Any
    depth: int = 1
    trigger: str = ""
    facts: dict = field(default_factory=dict)


def _collect(hook_name: str, builtin: Iterable[Any]) -> dict[str, Any]:
    pm = current_app.extensions["crmkit"].pm
    found = {item.key: item for item in builtin}
    for items in getattr(pm.hook, hook_name)():
        for item in items or ():
            found[item.key] = item
    return found


def triggers() -> dict[str, Trigger]:
    """Every trigger by key: the built-in ones, then the plugins'."""
    cached = current_app.extensions.get("crmkit.automation.triggers")
    if cached is None:
        from crmkit.core.automation.triggers import BUILTIN

        cached = current_app.extensions["crmkit.automation.triggers"] = _collect("automation_triggers", BUILTIN)
    return cached


def actions() -> dict[str, ActionType]:
    """Every action by key: the built-in ones, then the plugins'."""
    cached = current_app.extensions.get("crmkit.automation.actions")
    if cached is None:
        from crmkit.core.automation.actions import BUILTIN

        cached = current_app.extensions["crmkit.automation.actions"] = _collect("automation_actions", BUILTIN)
    return cached
