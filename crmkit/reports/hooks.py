"""Hooks of the reports built-in plugin: the report frame, its pages and the core's Clients reports."""

from __future__ import annotations

from crmkit import Job, NavItem, PeriodicJob, Permission, db, hookimpl
from crmkit.i18n import lazy_gettext as _l
from crmkit.jobs import crontab
from crmkit.reports import clients, drilldown, mailing, registry, views
from crmkit.reports.models import ReportMailing, SavedReport
from crmkit.reports.saved import MANAGE


@hookimpl
def init_app(app):
    registry.init_app(app)
    drilldown.init_app(app)


@hookimpl
def register_models():
    return [SavedReport, ReportMailing]


@hookimpl
def register_blueprints():
    return [views.bp]


@hookimpl
def register_permissions():
    return [Permission(MANAGE, _l("Manage everyone's saved reports and mailings"))]


@hookimpl
def register_jobs():
    return [
        PeriodicJob(mailing.send_due_mailings, schedule=crontab(minute="*/5"), name="send_due_mailings"),
        Job(mailing.mail_report, name="mail_report", retries=3, retry_delay=600),
    ]


@hookimpl
def nav_items(user):
    """"Reports" for whoever may run one (the permission checks are in memory once per request)."""
    if not user.is_authenticated or not registry.reports().runnable_by(user, db.session()):
        return []
    return [NavItem(_l("Reports"), endpoint="reports.index", order=60)]


@hookimpl
def register_reports():
    return clients.reports()
