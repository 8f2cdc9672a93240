"""The other core features actions lean on, reached in one place: working days (worktime), the
bell (notifications) and email templates (mail_templates), and writing records inside the
transaction of the change that fired a rule.
"""

from __future__ import annotations

import importlib
from datetime import datetime
from typing import Any

from crmkit.entities.service import Records
from crmkit.i18n import gettext as _


NOTIFICATION_KIND = "automation.rule"


class Unavailable(RuntimeError):
    """A feature an action needs is not installed; the message names it."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise Unavailable(_("This action needs %(feature)s, which is not installed.", feature=name)) from None


def add_working_days(start: datetime, days: int) -> datetime:
    """The same clock time ``days`` working days after ``start``, by the deployment's work calendar."""
    from crmkit import api

    adding = getattr(api, "add_working_days", None)
    if adding is None:
        raise Unavailable(_("This action needs %(feature)s, which is not installed.", feature="crmkit.core.worktime"))
    return adding(start, days)


def notify(user_id: int, title: str, *, body: str | None, url: str | None, record: Any) -> None:
    _module("crmkit.core.notifications").notify(user_id, title, body=body, url=url, kind=NOTIFICATION_KIND, record=record)


def mail_templates() -> Any:
    return _module("crmkit.core.mail_templates")


def template_problem(key: Any, entity: Any = None) -> str | None:
    """Why the email template ``key`` can't be used on ``entity``'s records (missing, written
    for another entity, or failing validation), or None."""
    try:
        module = mail_templates()
    except Unavailable as error:
        return str(error)
    template = find_template(key)
    if template is None:
        return _("There is no email template «%(key)s».", key=key)
    if entity is not None and template.entity != entity.key:
        return _("The email template «%(key)s» is written for another kind of record.", key=key)
    problem = module.validate(template)
    if problem:
        return _("The email template «%(key)s» is broken: %(problem)s", key=key, problem=_joined(problem))
    return None


def _joined(problem: Any) -> str:
    if hasattr(problem, "message"):
        return str(problem.message)
    if isinstance(problem, dict):
        return "; ".join(f"{k}: {_joined(v)}" for k, v in problem.items())
    if isinstance(problem, list | tuple):
        return "; ".join(_joined(p) for p in problem)
    return str(problem)


def find_template(key: Any) -> Any:
    """The template with this key (or id), or None."""
    module = mail_templates()
    finder = getattr(module, "find", None) or getattr(module, "get_template", None)
    if finder is not None:
        return finder(key)
    from sqlalchemy import select

    from crmkit import db

    model = module.models.MailTemplate
    column = model.id if isinstance(key, int) else model.key
    return db.session().execute(select(model).where(column == key)).scalar_one_or_none()


class InTransaction:
    """A session whose ``commit`` only flushes: the records service commits each write, and an
    action's write must commit with the change that fired the rule, or not at all."""

    def __init__(self, session: Any):
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def rollback(self) -> None:
        raise RuntimeError("a rule's action failed inside the record's transaction")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def records(entity: Any, user: Any, session: Any) -> Records:
    """The records service for ``entity``, writing in ``session``'s open transaction."""
    return Records(entity, user, InTransaction(session))
