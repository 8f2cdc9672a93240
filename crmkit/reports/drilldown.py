"""``?in_report=<key>?<args>`` on an entity's list: the records behind a figure that no list filter
can express (an ABC class, clients idle for N days), as the report's ``members`` select gives them.

The report is run again for whoever opens the list, with their permissions and visibility; the
list applies its own visibility on top, so the link never shows a record its reader can't see.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from flask import Flask
from flask_login import current_user

from crmkit import db as database
from crmkit.core.access.policy import access_for
from crmkit.entities.listing import LIST_CONDITIONS, ListError
from crmkit.reports import registry
from crmkit.reports.context import Context

KEY = "in_report"
MAX_LENGTH = 4000


def condition(entity, raw: str):
    """The ids ``members`` gives for the figure ``raw`` names, as ``id IN (SELECT ...)``."""
    if len(raw) > MAX_LENGTH:
        raise ListError(KEY, "the report figure is not valid")
    key, _, query = raw.partition("?")
    report = registry.reports().get(key)
    if report is None or report.members is None or report.entity != entity.key:
        raise ListError(KEY, "the report figure is not valid")
    access = access_for(database.session(), current_user)
    if not (current_user.is_authenticated and access.can(report.permission)):
        raise ListError(KEY, "the report figure is not valid")
    args = dict(parse_qsl(query, keep_blank_values=False))
    figure = {k.removeprefix("figure."): v for k, v in args.items() if k.startswith("figure.")}
    ctx = Context.build(report, current_user, {k: v for k, v in args.items() if not k.startswith("figure.")})
    return entity.model.__table__.c.id.in_(report.members(ctx, figure))


def init_app(app: Flask) -> None:
    app.extensions.setdefault(LIST_CONDITIONS, {})[KEY] = condition
