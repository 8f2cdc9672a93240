"""The home page as a dashboard: widgets from every plugin's ``dashboard_widgets``, reports from
the registry and the user's saved reports, arranged by the user or by default.

A widget with a ``key`` can be unpinned, moved and pinned again; the user's choice is one row of
``home_dashboard`` (the keys in order). Until a user arranges their own, they see the widgets
that say ``default``: the home plugin makes those depend on how far the user sees deals, so
whoever sees further than their own (a manager) starts with the department's funnel, plan and
fact and the team's overdue tasks, and whoever sees their own (an agent) with My day and their
own funnel; everyone with the week's figures (figures.py), a manager's with a row per employee.
Widgets compute nothing until they are drawn.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy import select

from crmkit import db
from crmkit.core.access.policy import access_for
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.home import figures
from crmkit.core.home.models import Dashboard
from crmkit.core.myday import queries
from crmkit.db import utcnow
from crmkit.i18n import lazy_gettext as _l
from crmkit.reports import engine, saved
from crmkit.reports.context import Context
from crmkit.reports.views import list_url
from crmkit.types import DashboardWidget

REPORT_ROWS = 6  # rows of a report's table shown in its widget
OVERDUE_LIMIT = 10
MANAGER_REPORTS = (("funnel", 10), ("plan_fact", 20))
AGENT_REPORTS = (("funnel", 20),)


def sees_beyond_own(user: Any) -> bool:
    """Whether the user sees others' deals (a manager's department, an admin's all)."""
    return access_for(db.session(), user).level("deal") != "own"


# the home plugin's own widgets
def own_widgets(user: Any) -> list[DashboardWidget]:
    manager = sees_beyond_own(user)
    widgets = [
        DashboardWidget(_l("This week"), "home/widget_week.html", {"load": lambda: figures.week(user, team=manager)}, order=1,
                        key="home.week", default=True),
        DashboardWidget(_l("My day"), "home/widget_myday.html", {"load": lambda: my_day(user)}, order=5,
                        key="home.myday", default=not manager),
        DashboardWidget(_l("Overdue tasks of the team"), "home/widget_overdue.html", {"load": lambda: overdue(user)},
                        order=30, key="home.overdue", default=manager),
    ]
    registry = current_app.extensions.get("crmkit.reports")
    if registry is None:
        return widgets
    runnable = {r.key: r for r in registry.runnable_by(user, db.session())}
    defaults = dict(MANAGER_REPORTS if manager else AGENT_REPORTS)
    for key in ("funnel", "plan_fact", "activity", "calls_heatmap"):
        if key in runnable:
            widgets.append(report_widget(runnable[key], {}, f"report.{key}", order=defaults.get(key, 50), default=key in defaults))
    for saved in saved_reports(user, runnable):
        widgets.append(report_widget(runnable[saved.report_key], saved.params, f"saved.{saved.id}", order=60, default=False,
                                     title=saved.name, saved_id=saved.id))
    return widgets


def saved_reports(user: Any, runnable: dict[str, Any]) -> list[Any]:
    return [s for s in saved.visible(db.session(), user) if s.report_key in runnable]


def report_widget(report, params: dict[str, str], key: str, order: int, default: bool, title: Any = None,
                  saved_id: int | None = None) -> DashboardWidget:
    def load() -> dict[str, Any]:
        result = engine.run(report, Context.build(report, current_user, params))
        top = replace(result, rows=list(result.rows)[:REPORT_ROWS])
        return {"result": top, "more": len(result.rows) > REPORT_ROWS, "list_url": list_url}

    context = {"load": load, "report": report, "params": params, "saved_id": saved_id}
    return DashboardWidget(title or report.label, "home/widget_report.html", context, order=order, key=key, default=default)


def my_day(user: Any) -> dict[str, Any]:
    records = queries.activity_records(user)
    if not records.can("view"):
        return {"sections": []}
    return {"sections": [s for s in queries.my_day(user) if s.name in ("overdue", "today", "meetings", "calls")]}


def overdue(user: Any) -> dict[str, Any]:
    """Open tasks past their day, of everyone whose activities the user sees, the oldest first."""
    records = queries.activity_records(user)
    if not records.can("view"):
        return {"items": [], "more": False}
    start = queries.day_start(queries.today_of(user), queries.zone_of(user))
    statement = (records.select().where(Activity.kind == "task", Activity.status == "open", Activity.happened_at < start)
                 .order_by(Activity.happened_at, Activity.id))
    items, more = queries.rows(records, statement, OVERDUE_LIMIT)
    owners = sorted({a.owner_id for a in items if a.owner_id})
    names = {row.id: row.name or row.email for row in db.session().execute(
        select(User.id, User.name, User.email).where(User.id.in_(owners)))} if owners else {}
    return {"items": items, "more": more, "names": names}


# arranging
def available(user: Any) -> list[DashboardWidget]:
    """Every widget the user may have, from every plugin, in their default order."""
    pm = current_app.extensions["crmkit"].pm
    found = [w for widgets in pm.hook.dashboard_widgets(user=user) for w in widgets or []]
    return sorted(found, key=lambda w: w.order)


def chosen(user: Any) -> list[str] | None:
    row = db.session().get(Dashboard, user.id)
    return list(row.widgets) if row is not None else None


def shown(user: Any, widgets: list[DashboardWidget]) -> list[DashboardWidget]:
    """The widgets on the user's page: keyless ones always, then their arrangement or the defaults."""
    keyed = {w.key: w for w in widgets if getattr(w, "key", None)}
    fixed = [w for w in widgets if not getattr(w, "key", None)]
    keys = chosen(user)
    if keys is None:
        return fixed + [w for w in widgets if getattr(w, "key", None) and getattr(w, "default", True)]
    return fixed + [keyed[k] for k in keys if k in keyed]


def arrange(user: Any, action: str, key: str, widgets: list[DashboardWidget]) -> bool:
    """Pin, unpin, move up or down, or go back to the defaults; False when it makes no sense."""
    keys = [w.key for w in shown(user, widgets) if getattr(w, "key", None)]
    known = {w.key for w in widgets if getattr(w, "key", None)}
    if action == "reset":
        row = db.session().get(Dashboard, user.id)
        if row is not None:
            db.session().delete(row)
            db.session().commit()
        return True
    if key not in known:
        return False
    if action == "pin" and key not in keys:
        keys.append(key)
    elif action == "unpin" and key in keys:
        keys.remove(key)
    elif action in ("up", "down") and key in keys:
        at = keys.index(key)
        to = at - 1 if action == "up" else at + 1
        if not 0 <= to < len(keys):
            return False
        keys[at], keys[to] = keys[to], keys[at]
    else:
        return False
    save(user, keys)
    return True


def save(user: Any, keys: list[str]) -> None:
    session = db.session()
    row = session.get(Dashboard, user.id) or Dashboard(user_id=user.id)
    row.widgets, row.updated_at = keys, utcnow()
    session.add(row)
    session.commit()

