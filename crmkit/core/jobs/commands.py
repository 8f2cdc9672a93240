"""`crmkit worker`: runs queued jobs, and the one scheduler that starts periodic jobs."""

from __future__ import annotations

import logging
import signal

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


def start_in_process(app, workers: int = 1):
    """Run jobs and the scheduler of periodic jobs in threads of this process, for `crmkit serve`:
    one command gets a working install (reminders mailed, webhooks delivered, statistics kept).

    Returns the running consumer (stop it with ``stop(graceful=True)``), or None when jobs run
    immediately anyway. Huey's consumer takes over SIGINT and SIGTERM for its own loop, which
    does not run here; the server's handlers are put back so Ctrl+C still stops it.
    """
    found = jobs.jobs_of(app)
    if found.immediate:
        return None
    kept = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    consumer = found.huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.start()
    for number, handler in kept.items():
        signal.signal(number, handler)
    return consumer
