"""Housekeeping of the database: the planner's statistics, refreshed hourly by the worker and on
demand with `crmkit analyze` (see crmkit/statistics.py for why)."""

from __future__ import annotations

import click

from crmkit import PeriodicJob, db, hookimpl, statistics
from crmkit.i18n import gettext as _
from crmkit.jobs import crontab


def refresh_statistics() -> list[str]:
    """ANALYZE the tables whose statistics are missing or out of date; returns their names."""
    with db.engine().begin() as connection:
        return statistics.refresh(connection)


@click.command("analyze")
def analyze_command():
    """Refresh the query planner's statistics of tables that have grown or shrunk."""
    tables = refresh_statistics()
    if tables:
        click.echo(_("Statistics refreshed: %(tables)s.", tables=", ".join(tables)))
    else:
        click.echo(_("Statistics are up to date."))


@hookimpl
def register_jobs():
    return [PeriodicJob(refresh_statistics, schedule=crontab(minute="17"), name="refresh_statistics")]


@hookimpl
def register_commands():
    return [analyze_command]
