"""Running rules: on a record's events (in its transaction), on the schedule (time triggers), when
a plugin fires its own trigger, and as a dry run that only says what would happen.

A rule's actions run inside a SAVEPOINT of the record's transaction: they are saved with the change
that fired them or not at all, and an action that fails undoes the rule's earlier actions without
losing the change itself; the run is logged either way. Actions that write records fire rules in
turn; ``AUTOMATION_MAX_DEPTH`` (default 5) stops such a chain with a logged reason.
"""

from __future__ import annotations

import time
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import object_session

from crmkit import db as database
from crmkit.core.auth.models import User
from crmkit.core.automation import catalog, conditions, listening, triggers
from crmkit.core.automation.models import Rule, RuleRun
from crmkit.core.timeline.entries import aware
from crmkit.db import utcnow
from crmkit.entities.errors import RecordError
from crmkit.i18n import gettext as _

DEPTH_KEY = "crmkit_automation_depth"


def on_event(event: str, entity: Any, record: Any, changes: dict) -> None:
    """The ``entity_event`` hook: run the rules an after-event starts."""
    trigger_key = triggers.EVENTS.get(event)
    db = object_session(record)
    if trigger_key is None or db is None:
        return
    wanted = listening.wanting(db, entity.key, trigger_key)
    if not wanted:
        return
    found = db.execute(select(Rule).where(Rule.id.in_(wanted), Rule.enabled.is_(True)).order_by(Rule.position, Rule.id))
    for rule in list(found.scalars()):
        if triggers.matches(trigger_key, entity, rule.trigger or {}, changes):
            run(db, rule, entity, record, trigger_key)


def fire(trigger_key: str, entity: Any, record: Any, **facts: Any) -> int:
    """Start the rules on ``entity`` using a plugin's trigger ``trigger_key``, in the record's
    transaction (the caller commits); returns how many rules ran."""
    kind = catalog.triggers().get(trigger_key)
    if kind is None:
        raise LookupError(f"no automation trigger {trigger_key!r}")
    db = object_session(record) or database.session()
    ran = 0
    for rule_id in listening.wanting(db, entity.key, trigger_key):
        rule = db.get(Rule, rule_id)
        if rule is not None and rule.enabled and (kind.matches is None or kind.matches(rule.trigger or {}, facts)):
            run(db, rule, entity, record, trigger_key, facts)
            ran += 1
    return ran


def acting_user(db: Any, rule: Rule) -> Any:
    """Rules act as whoever last saved them (their changes show that user in the history)."""
    user = db.get(User, rule.updated_by_id or rule.created_by_id) if (rule.updated_by_id or rule.created_by_id) else None
    if user is None or not user.is_active:
        raise ValueError(_("The rule acts as the user who last saved it, who is gone or deactivated; save the rule again."))
    return user


def run(db: Any, rule: Rule, entity: Any, record: Any, trigger_key: str, facts: dict | None = None) -> RuleRun:
    """Run one rule on one record and log the run; never raises for the rule's own failures."""
    depth = db.info.get(DEPTH_KEY, 0) + 1
    started = time.perf_counter()
    limit = int(current_app.config.get("AUTOMATION_MAX_DEPTH", 5))
    if depth > limit:
        return _log(db, rule, entity, record, trigger_key, "skipped", _(
            "Stopped: rules set each other off %(depth)d times in a row (the limit is %(limit)d).", depth=depth - 1,
            limit=limit), started, depth)
    try:
        holds = conditions.holds(entity, record, rule.conditions)
    except KeyError as error:  # a field removed since the rule was saved
        return _log(db, rule, entity, record, trigger_key, "error", gone(entity, error), started, depth)
    if not holds:
        return _log(db, rule, entity, record, trigger_key, "skipped", _("The conditions do not hold."), started, depth)
    db.info[DEPTH_KEY] = depth
    # crmkit.jobs keeps the jobs queued inside the savepoint (a mail) for the record's real commit,
    # and drops them with it when the savepoint rolls back
    savepoint = db.begin_nested()
    try:
        ctx = catalog.Context(rule, entity, record, acting_user(db, rule), db, depth, trigger_key, facts or {})
        messages = [_act(ctx, index, action) for index, action in enumerate(rule.actions or [])]
        savepoint.commit()
        result, message = "ok", " ".join(str(m) for m in messages if m)
    except Exception as error:  # noqa: BLE001 - any failure of a rule is logged, never breaks the save
        if savepoint.is_active:
            savepoint.rollback()
        result, message = "error", gone(entity, error) if isinstance(error, KeyError) else describe_error(error)
    finally:
        db.info[DEPTH_KEY] = depth - 1
    return _log(db, rule, entity, record, trigger_key, result, message, started, depth)


def gone(entity: Any, error: KeyError) -> str:
    """The run log's message for a rule naming a field its entity no longer has."""
    field = error.args[0] if error.args else "?"
    return _("The rule names a field %(entity)s no longer has: «%(field)s». Change the rule.", entity=entity.label, field=field)


def _act(ctx: catalog.Context, index: int, action: dict) -> Any:
    kind = catalog.actions().get(action.get("type"))
    if kind is None:
        raise ValueError(_("Action %(n)d: unknown action «%(action)s».", n=index + 1, action=action.get("type")))
    return kind.run(ctx, {**action, "_position": index})


def describe_error(error: BaseException) -> str:
    if isinstance(error, RecordError) and getattr(error, "fields", None):
        return "; ".join(f"{name}: {' '.join(map(str, messages if isinstance(messages, list) else [messages]))}"
                         for name, messages in error.fields.items())
    return str(error) or error.__class__.__name__


def _log(db: Any, rule: Rule, entity: Any, record: Any, trigger_key: str, result: str, message: str,
         started: float, depth: int) -> RuleRun:
    entry = RuleRun(rule_id=rule.id, rule_name=rule.name, entity=entity.key, record_id=getattr(record, "id", None),
                    trigger=trigger_key, result=result, message=(message or "")[:4000], depth=depth,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2), at=utcnow())
    db.add(entry)
    return entry


def dry_run(db: Any, rule_data: dict, entity: Any, record: Any, user: Any) -> dict:
    """What a rule would do to ``record`` now, without doing it: whether its conditions hold, and
    each action described (``rule_data`` as ``rules.check`` returns it)."""
    rule = Rule(name=rule_data.get("name", ""), entity=entity.key, trigger=rule_data.get("trigger") or {},
                conditions=rule_data.get("conditions") or {}, actions=rule_data.get("actions") or [], memo={})
    holds = conditions.holds(entity, record, rule.conditions)
    ctx = catalog.Context(rule, entity, record, user, db, 1, rule.trigger.get("type", ""))
    lines = []
    for index, action in enumerate(rule.actions, start=1):
        kind = catalog.actions().get(action.get("type"))
        try:
            lines.append(str(kind.describe(ctx, {**action, "_position": index - 1})))
        except Exception as error:  # noqa: BLE001 - the dry run shows what would go wrong
            lines.append(_("Action %(n)d would fail: %(error)s", n=index, error=describe_error(error)))
    return {"holds": holds, "conditions": conditions.describe(entity, rule.conditions), "actions": lines}


def check_time_triggers() -> int:
    """The periodic job: run each enabled time-triggered rule on the records that entered its
    window since the last check; each record's run commits on its own. Returns the runs."""
    db = database.session()
    timed = {key for key, kind in catalog.triggers().items() if kind.timed}
    registry = current_app.extensions["crmkit"].entities
    rules = [r for r in db.execute(select(Rule).where(Rule.enabled.is_(True)).order_by(Rule.id).limit(1000)).scalars()
             if (r.trigger or {}).get("type") in timed and r.entity in registry]
    count = 0
    for rule in rules:
        now = utcnow()
        since = aware(rule.checked_at or rule.updated_at)
        entity = registry.get(rule.entity)
        trigger_key = rule.trigger["type"]
        seen: set[int] = set()  # a record an action moved further into the window runs once
        for batch in triggers.due(db, entity, trigger_key, rule.trigger, since, now):
            batch = [record_id for record_id in batch if record_id not in seen]
            seen.update(batch)
            found = db.execute(select(entity.model).where(entity.model.id.in_(batch)).order_by(entity.model.id))
            for record in list(found.scalars()):
                run(db, rule, entity, record, trigger_key)
                db.commit()
                count += 1
        rule.checked_at = now
        db.add(rule)
        db.commit()
    return count
