"""Background jobs: builds the app's job queue from every plugin's register_jobs; `crmkit worker`."""

from __future__ import annotations

from crmkit import hookimpl, jobs
from crmkit.core.jobs.commands import worker


@hookimpl(tryfirst=True)
def init_app(app):
    jobs.collect(app, app.extensions["crmkit"].pm)


@hookimpl
def register_commands():
    return [worker]
