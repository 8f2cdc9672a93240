"""Hooks of the myday built-in plugin: My day, reminders, the calendar and the iCalendar feed."""

from __future__ import annotations

from markupsafe import Markup

from crmkit import NavItem, PeriodicJob, hookimpl
from crmkit.core.myday import commands, queries, reminders, views
from crmkit.i18n import gettext, ngettext
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_commands():
    return [commands.reminders_group]


@hookimpl
def register_jobs():
    return [PeriodicJob(reminders.send_reminders, schedule=crontab(minute="*"), name="send_reminders")]


@hookimpl
def nav_items(user):
    """"My day" first in the navigation, with the number of overdue and today's open tasks."""
    if not user.is_authenticated:
        return []
    return [NavItem(nav_label(user), endpoint="myday.index", order=-10),
            NavItem(_l("Calendar"), endpoint="myday.calendar", order=805, group="tools")]


def nav_label(user):
    records = queries.activity_records(user)
    count = queries.due_task_count(user) if records.can("view") else 0
    if not count:
        return _l("My day")
    shown = f"{queries.BADGE_CAP}+" if count > queries.BADGE_CAP else str(count)
    if count > queries.BADGE_CAP:
        hint = gettext("more than %(num)d tasks due", num=queries.BADGE_CAP)
    else:
        hint = ngettext("%(num)d task due", "%(num)d tasks due", count)
    return Markup('{} <span class="badge" data-due="{}"><span aria-hidden="true">{}</span>'
                  '<span class="visually-hidden">{}</span></span>').format(_l("My day"), count, shown, hint)
