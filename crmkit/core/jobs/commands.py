"""`crmkit worker`: runs queued jobs, and the one scheduler that starts periodic jobs."""

from __future__ import annotations

import logging

import click
from flask import current_app

from crmkit import jobs
from crmkit.i18n import gettext as _


@click.command("worker")
@click.option("--workers", "-w", type=int, default=None, help="Jobs run at once (threads); default CRMKIT_JOBS_WORKERS.")
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Also start periodic jobs. Run exactly one worker with the scheduler; start others with --no-scheduler.",
)
def worker(workers, scheduler):
    """Run background jobs until stopped (Ctrl+C or SIGTERM finish the jobs under way)."""
    found = jobs.jobs_of(current_app)
    if found.immediate:
        raise click.ClickException(_("Jobs run immediately (CRMKIT_JOBS_IMMEDIATE); there is nothing for a worker to do."))
    count = workers or int(current_app.config["JOBS_WORKERS"])
    if not logging.getLogger("huey").handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    click.echo(
        _(
            "crmkit worker: %(count)d threads, %(jobs)d jobs, scheduler %(state)s",
            count=count,
            jobs=len(found.tasks),
            state=_("on") if scheduler else _("off"),
        )
    )
    consumer = found.huey.create_consumer(workers=count, worker_type="thread", periodic=scheduler, check_worker_health=True)
    consumer.run()
