"""The built-in actions. Local ones write through the records service inside the transaction of
the change that fired the rule (outside.records), so history, checks and the workflow apply and
a task is saved with the stage change or not at all; mail and webhooks go out after the commit.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from crmkit import jobs
from crmkit.core.auth.models import User
from crmkit.core.automation import declared, outside
from crmkit.core.automation.catalog import ActionType, Context, Param
from crmkit.db import utcnow
from crmkit.entities.history import plain
from crmkit.i18n import gettext as _
from crmkit.i18n import lazy_gettext as _l

WHO = {"owner": _l("the owner"), "manager": _l("the owner's manager"), "creator": _l("whoever created it")}
TASK_KINDS = (("task", _l("Task")), ("call", _l("Call")), ("meeting", _l("Meeting")))


def who(ctx: Context, value: Any) -> int | None:
    """The user an ``assignee`` parameter names for this record."""
    record = ctx.record
    if value == "owner":
        return record.owner_id
    if value == "creator":
        return record.created_by_id
    if value == "manager":
        owner = ctx.db.get(User, record.owner_id) if record.owner_id else None
        return owner.manager_id if owner is not None else None
    return int(value) if value not in (None, "") else None


def who_label(ctx: Context, value: Any) -> str:
    user_id = who(ctx, value)
    user = ctx.db.get(User, user_id) if user_id else None
    name = (user.name or user.email) if user is not None else _("nobody")
    return f"{WHO[value]} ({name})" if value in WHO else name


def _entity(key: str) -> Any:
    return current_app.extensions["crmkit"].entities.get(key)


# create a task or another activity
def _due(ctx: Context, params: dict) -> datetime:
    """Now plus the working days, at the same clock time, by the deployment's work calendar."""
    return outside.add_working_days(utcnow(), int(params.get("due_in") or 0))


def create_task(ctx: Context, params: dict) -> str:
    assignee = who(ctx, params.get("assignee") or "owner")
    if assignee is None:
        raise ValueError(_("Nobody to give the task to: %(who)s is not set.", who=WHO.get(params.get("assignee"), "?")))
    values = {"kind": params.get("kind") or "task", "subject": params["subject"], "body": params.get("body") or None,
              "happened_at": _due(ctx, params).isoformat()}
    if ctx.entity.key != "activity":
        values |= {"about_entity": ctx.entity.key, "about_id": ctx.record.id}
    activities = outside.records(_entity("activity"), ctx.user, ctx.db)
    task = activities.create(values)
    if task.owner_id != assignee:
        activities.assign_owner(task, assignee)
    return _("Task «%(subject)s» #%(id)d for %(who)s, due %(due)s.", subject=task.subject, id=task.id,
             who=who_label(ctx, params.get("assignee") or "owner"), due=_due(ctx, params).isoformat(timespec='minutes'))


def describe_task(ctx: Context, params: dict) -> str:
    try:
        due = _due(ctx, params).isoformat(timespec='minutes')
    except outside.Unavailable as error:
        due = str(error)
    return _("Create «%(subject)s» for %(who)s, due %(due)s.", subject=params.get("subject"),
             who=who_label(ctx, params.get("assignee") or "owner"), due=due)


# assign
def _round_robin(ctx: Context, params: dict, position: int, advance: bool) -> int | None:
    """The next active user of the department after the one this action chose last time."""
    department = int(params["department"])
    users = list(ctx.db.execute(select(User.id).where(User.department_id == department, User.is_active.is_(True))
                                .order_by(User.id).limit(1000)).scalars())
    if not users:
        return None
    key = f"round_robin:{position}"
    last = (ctx.rule.memo or {}).get(key)
    chosen = next((user for user in users if last is None or user > last), users[0])
    if advance:
        ctx.rule.memo = {**(ctx.rule.memo or {}), key: chosen}
        ctx.db.add(ctx.rule)
    return chosen


def _assignee(ctx: Context, params: dict, advance: bool) -> int | None:
    if params.get("department") not in (None, ""):
        return _round_robin(ctx, params, int(params.get("_position", 0)), advance)
    return who(ctx, params.get("user"))


def assign(ctx: Context, params: dict) -> str:
    user_id = _assignee(ctx, params, advance=True)
    if user_id is None:
        raise ValueError(_("Nobody to assign to: the department has no active users."))
    outside.records(ctx.entity, ctx.user, ctx.db).assign_owner(ctx.record, user_id)
    return _("Assigned to %(who)s.", who=who_label(ctx, user_id))


def describe_assign(ctx: Context, params: dict) -> str:
    user_id = _assignee(ctx, params, advance=False)
    if params.get("department") not in (None, ""):
        return _("Assign by round robin in %(department)s: next is %(who)s.",
                 department=declared.choice_label(ctx.entity, declared.OWNER_DEPARTMENT, int(params["department"])),
                 who=who_label(ctx, user_id) if user_id else _("nobody"))
    return _("Assign to %(who)s.", who=who_label(ctx, params.get("user")))


def check_assign(entity: Any, params: dict) -> str | None:
    if (params.get("user") in (None, "")) == (params.get("department") in (None, "")):
        return _("Name either a user or a department to take turns in, not both.")
    return None


# set a field, move through the workflow
def set_field(ctx: Context, params: dict) -> str:
    name = params["field"]
    info = declared.fields_of(ctx.entity)[name]
    value = declared.typed(info, params.get("value"))
    service = outside.records(ctx.entity, ctx.user, ctx.db)
    if name == "owner_id":
        service.assign_owner(ctx.record, value)
    else:
        service.update(ctx.record, {name: declared.plain(value)}, None)
    return _("%(field)s set to %(value)s.", field=info.label, value=declared.choice_label(ctx.entity, name, value) or "—")


def describe_set_field(ctx: Context, params: dict) -> str:
    info = declared.fields_of(ctx.entity).get(params.get("field"))
    label = info.label if info is not None else params.get("field")
    value = declared.typed(info, params.get("value")) if info is not None else params.get("value")
    return _("Set %(field)s to %(value)s.", field=label, value=declared.choice_label(ctx.entity, params.get("field"), value) or "—")


def check_set_field(entity: Any, params: dict) -> str | None:
    info = declared.fields_of(entity).get(params.get("field"))
    if info is not None and not info.settable:
        return _("The field «%(field)s» can't be set.", field=info.label)
    return None


def move(ctx: Context, params: dict) -> str:
    field = ctx.entity.workflow.field
    state = params["state"]
    current = getattr(ctx.record, field)
    info = declared.fields_of(ctx.entity)[field]
    if str(current) == str(state):
        return _("Already in %(state)s.", state=declared.state_label(ctx.entity, state))
    outside.records(ctx.entity, ctx.user, ctx.db).update(ctx.record, {field: declared.plain(declared.typed(info, state))}, None)
    return _("Moved to %(state)s.", state=declared.state_label(ctx.entity, state))


def describe_move(ctx: Context, params: dict) -> str:
    return _("Move to %(state)s.", state=declared.state_label(ctx.entity, params.get("state")))


# after the commit: email, the bell, webhooks
def _recipient(ctx: Context, params: dict) -> tuple[int | None, str | None]:
    if params.get("address"):
        return None, params["address"]
    return who(ctx, params.get("to") or "owner"), None


def send_email(ctx: Context, params: dict) -> str:
    user_id, address = _recipient(ctx, params)
    if user_id is None and address is None:
        raise ValueError(_("Nobody to write to: %(who)s is not set.", who=WHO.get(params.get("to"), "?")))
    to_user = ctx.db.get(User, user_id) if user_id else None
    outside.mail_templates().send(params["template"], ctx.record, entity=ctx.entity, to_user=to_user, to_address=address,
                                      sender=ctx.user)
    return _("Email «%(template)s» to %(who)s, sent after the change is saved.", template=params["template"],
             who=address or who_label(ctx, params.get("to") or "owner"))


def describe_email(ctx: Context, params: dict) -> str:
    return _("Email «%(template)s» to %(who)s.", template=params.get("template"),
             who=params.get("address") or who_label(ctx, params.get("to") or "owner"))


def check_email(entity: Any, params: dict) -> str | None:
    return outside.template_problem(params.get("template"), entity)


def notify(ctx: Context, params: dict) -> str:
    user_id = who(ctx, params.get("to") or "owner")
    if user_id is None:
        raise ValueError(_("Nobody to notify: %(who)s is not set.", who=WHO.get(params.get("to"), "?")))
    url = record_url(ctx)
    outside.notify(user_id, params["title"], body=params.get("body") or None, url=url, record=ctx.record)
    return _("Notified %(who)s.", who=who_label(ctx, params.get("to") or "owner"))


def record_url(ctx: Context) -> str:
    """The record's page, also from a job (no request): a path under the deployment's BASE_URL."""
    from flask import has_request_context

    from crmkit import api

    if has_request_context():
        return api.detail_url(ctx.entity, ctx.record)
    with current_app.test_request_context(base_url=current_app.config.get("BASE_URL") or None):
        return api.detail_url(ctx.entity, ctx.record)


def describe_notify(ctx: Context, params: dict) -> str:
    return _("Notify %(who)s: «%(title)s».", who=who_label(ctx, params.get("to") or "owner"), title=params.get("title"))


def webhook(ctx: Context, params: dict) -> str:
    event_id = str(uuid.uuid4())
    payload = {"id": event_id, "rule": ctx.rule.name, "trigger": ctx.trigger, "entity": ctx.entity.key,
               "record": {c.key: plain(getattr(ctx.record, c.key, None)) for c in ctx.record.__table__.columns},
               "occurred_at": utcnow().isoformat()}
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    jobs.enqueue_after_commit(ctx.db, "core.automation.call_webhook", ctx.rule.id, ctx.entity.key, ctx.record.id,
                              params["url"], event_id, body, user=None)
    return _("Webhook to %(url)s queued for after the change is saved.", url=params["url"])


def describe_webhook(ctx: Context, params: dict) -> str:
    return _("Send a signed POST to %(url)s.", url=params.get("url"))


def _has_workflow(entity: Any) -> bool:
    return entity.workflow is not None


RECIPIENT = Param("to", _l("To"), "assignee", required=False, default="owner")
BUILTIN = (
    ActionType("create_task", _l("Create a task"), create_task, describe_task, (
        Param("subject", _l("Subject")),
        Param("assignee", _l("For"), "assignee", required=False, default="owner"),
        Param("due_in", _l("Due in working days"), "int", required=False, default=0),
        Param("kind", _l("Kind"), "choice", required=False, default="task", choices=TASK_KINDS),
        Param("body", _l("Text"), required=False),
    )),
    ActionType("assign", _l("Assign"), assign, describe_assign, (
        Param("user", _l("To"), "assignee", required=False),
        Param("department", _l("Or by turns in the department"), "department", required=False),
    ), check=check_assign),
    ActionType("set_field", _l("Set a field"), set_field, describe_set_field, (
        Param("field", _l("Field"), "field"),
        Param("value", _l("Value"), "value", required=False, of="field"),
    ), check=check_set_field),
    ActionType("move", _l("Move to a state"), move, describe_move, (Param("state", _l("State"), "state"),),
               applies=_has_workflow),
    ActionType("send_email", _l("Send an email from a template"), send_email, describe_email, (
        Param("template", _l("Template"), "template"),
        RECIPIENT,
        Param("address", _l("Or to the address"), required=False),
    ), check=check_email),
    ActionType("notify", _l("Notify in the app"), notify, describe_notify, (
        Param("title", _l("Title")), RECIPIENT, Param("body", _l("Text"), required=False),
    )),
    ActionType("webhook", _l("Call a signed webhook"), webhook, describe_webhook, (
        Param("url", _l("Address"), "url"),
    )),
)
