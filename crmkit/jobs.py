"""Background and periodic jobs, on Huey: one Huey per app, jobs declared through ``register_jobs``.

A plugin never touches Huey at import time. It returns ``crmkit.Job`` and ``crmkit.PeriodicJob``
values from ``register_jobs``; when the app is built, each is bound to that app's Huey under the
name ``<plugin>.<job>`` (``core.webhooks.deliver``) and runs inside that app's context.

Storage, from ``CRMKIT_JOBS_URL``:

- unset: SQLite, ``jobs.sqlite3`` in the instance folder (one machine);
- ``redis://host:6379/0``: Redis, for several processes or machines;
- ``sqlite:////path/jobs.sqlite3``: SQLite elsewhere.

``CRMKIT_JOBS_IMMEDIATE=1`` runs each job at once in the process that queues it (tests, debugging).

Every queued job carries the id of the user it acts for (by default the logged-in user of the
request that queued it; ``user=None`` for system work). A job function that takes a ``user``
argument receives that user, loaded afresh, so code in jobs uses ``Records(entity, user)`` and
the user's permissions and visibility hold there as on pages. A job whose user was deleted or
deactivated meanwhile does not run.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from crmkit import db

__all__ = ["CURRENT_USER", "Job", "JobError", "Jobs", "PeriodicJob", "crontab", "enqueue", "enqueue_after_commit"]

log = logging.getLogger("crmkit.jobs")
EXTENSION = "crmkit.jobs"
CURRENT_USER = object()  # the default acting user: whoever is logged in to the current request
CONFIG_DEFAULTS = {"JOBS_URL": None, "JOBS_IMMEDIATE": False, "JOBS_QUEUE": "crmkit", "JOBS_WORKERS": 2}
PENDING = "crmkit.jobs.after_commit"


@dataclass(frozen=True)
class Job:
    """A function that can be queued: ``crmkit.jobs.enqueue("<plugin>.<name>", *args)``.

    :param func: a plain function; its arguments must be JSON- or pickle-friendly values (ids,
        not records). A ``user`` parameter receives the acting user (None for system work).
    :param name: the job's name within the plugin; default: the function's name.
    :param retries: how often Huey runs it again after an exception.
    :param retry_delay: seconds between those runs.
    :param priority: higher runs first.
    """

    func: Callable[..., Any]
    name: str | None = None
    retries: int = 0
    retry_delay: int = 0
    priority: int | None = None


@dataclass(frozen=True)
class PeriodicJob:
    """A function run on a schedule by the one scheduler (``crmkit worker``), as no user.

    :param func: a function without arguments.
    :param schedule: ``crmkit.jobs.crontab(minute="*/5")``, or any function of a UTC datetime
        answering whether to run in that minute.
    :param name: the job's name within the plugin; default: the function's name.
    """

    func: Callable[[], Any]
    schedule: Callable[[Any], bool]
    name: str | None = None
    retries: int = 0
    retry_delay: int = 0


class JobError(RuntimeError):
    """A job can't be queued or run; the message names it."""


def make_huey(app: Flask) -> Huey:
    """The app's Huey, chosen by configuration; nothing is opened or created until first use."""
    cfg = app.config
    name = str(cfg["JOBS_QUEUE"])
    if cfg["JOBS_IMMEDIATE"] in (True, 1, "1", "true", "True"):
        return MemoryHuey(name, immediate=True)
    url = cfg["JOBS_URL"]
    if not url:
        return SqliteHuey(name, filename=str(Path(app.instance_path) / "jobs.sqlite3"), create_tables=False)
    url = str(url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), create_tables=False)
    if url == "memory://":
        return MemoryHuey(name)
    raise JobError(f"CRMKIT_JOBS_URL must start with redis://, sqlite:/// or be memory://, not {url!r}")


class Jobs:
    """The jobs of one app: its Huey and every declared job bound to it; ``app.extensions["crmkit.jobs"]``."""

    def __init__(self, app: Flask, huey: Huey):
        self.app = app
        self._huey = huey
        self._schema_ready = not isinstance(huey, SqliteHuey)
        self.tasks: dict[str, Any] = {}  # job name -> Huey task
        self.periodic: list[str] = []

    @property
    def huey(self) -> Huey:
        """The Huey instance; a SQLite queue file is created on first use, not when the app starts."""
        if not self._schema_ready:
            Path(self._huey.storage.filename).parent.mkdir(parents=True, exist_ok=True)
            self._huey.storage.initialize_schema()
            self._schema_ready = True
        return self._huey

    @property
    def immediate(self) -> bool:
        return self._huey.immediate

    def register(self, plugin: str, job: Job | PeriodicJob) -> str:
        name = f"{plugin}.{job.name or job.func.__name__}"
        if name in self.tasks:
            raise JobError(f"plugin {plugin!r} declares the job {name!r} twice")
        runner = self._runner(name, job.func)
        if isinstance(job, PeriodicJob):
            periodic = self._huey.periodic_task(
                job.schedule, retries=job.retries, retry_delay=job.retry_delay, name=name
            )(lambda: runner(None, (), {}))
            self.tasks[name] = periodic
            self.periodic.append(name)
        elif isinstance(job, Job):
            self.tasks[name] = self._huey.task(
                retries=job.retries, retry_delay=job.retry_delay, priority=job.priority, name=name
            )(runner)
        else:
            raise JobError(f"plugin {plugin!r}: register_jobs returned {job!r}, not a crmkit.Job or PeriodicJob")
        return name

    def _runner(self, name: str, func: Callable[..., Any]) -> Callable[..., Any]:
        app = self.app
        wants_user = "user" in inspect.signature(func).parameters

        def run(user_id: int | None, args: tuple, kwargs: dict) -> Any:
            with app.app_context():
                session = db.session()
                user = acting_user(session, name, user_id)
                if wants_user:
                    kwargs = {**kwargs, "user": user}
                try:
                    return func(*args, **kwargs)
                except BaseException:
                    session.rollback()
                    raise

        run.__module__ = __name__  # Huey names the task "crmkit.jobs.<job name>" in every process
        run.__qualname__ = run.__name__ = name
        return run

    def enqueue(self, name: str, *args: Any, user: Any = CURRENT_USER, delay: float | None = None, **kwargs: Any):
        """Queue the job ``name`` acting as ``user``; ``delay`` in seconds. Returns Huey's result handle."""
        task = self.tasks.get(name)
        if task is None:
            raise JobError(f"no job named {name!r}; declared jobs: {', '.join(sorted(self.tasks)) or 'none'}")
        self.huey  # noqa: B018 - make sure a SQLite queue exists before Huey writes to it
        if name in self.periodic:  # run a periodic job now, outside its schedule
            return self._huey.enqueue(task.s())
        message = (user_id_of(user), args, kwargs)
        return task.schedule(args=message, delay=delay) if delay else task(*message)


def acting_user(session, job: str, user_id: int | None):
    if user_id is None:
        return None
    from crmkit.core.auth.models import User

    user = session.get(User, user_id)
    if user is None or not user.is_active:
        raise JobError(f"job {job!r} acts for user {user_id}, who is deleted or deactivated; it did not run")
    return user


def user_id_of(user: Any) -> int | None:
    if user is CURRENT_USER:
        if not has_request_context():
            return None
        from flask_login import current_user

        return current_user.id if current_user.is_authenticated else None
    if user is None or isinstance(user, int):
        return user
    return user.id


def collect(app: Flask, pm) -> Jobs:
    """Build the app's Huey and bind every plugin's jobs to it; called once per app."""
    for key, value in CONFIG_DEFAULTS.items():
        app.config.setdefault(key, value)
    jobs = Jobs(app, make_huey(app))
    for impl in pm.hook.register_jobs.get_hookimpls():
        for job in impl.function() or []:
            jobs.register(impl.plugin_name, job)
    app.extensions[EXTENSION] = jobs
    return jobs


def jobs_of(app: Flask | None = None) -> Jobs:
    return (app or current_app).extensions[EXTENSION]


def enqueue(name: str, *args: Any, user: Any = CURRENT_USER, delay: float | None = None, **kwargs: Any):
    """Queue the job ``name`` of the current app; see ``Jobs.enqueue``."""
    return jobs_of().enqueue(name, *args, user=user, delay=delay, **kwargs)


def enqueue_after_commit(session: Session, name: str, *args: Any, user: Any = CURRENT_USER, **kwargs: Any) -> None:
    """Queue the job once ``session`` commits, and never if it rolls back (the outbox pattern).

    Write what the job needs in the same transaction; should queueing fail after the commit, a
    periodic job that looks for unfinished rows still finds them.
    """
    jobs = jobs_of()
    pending = session.info.get(PENDING)
    if pending is None:
        pending = session.info[PENDING] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
    pending.append((session.get_nested_transaction(), (jobs, name, args, kwargs, user_id_of(user))))


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a released savepoint fires after_commit too: wait for the real one
        return
    waiting, session.info[PENDING] = session.info.get(PENDING, []), []
    for _savepoint, (jobs, name, args, kwargs, user_id) in waiting:
        try:
            jobs.enqueue(name, *args, user=user_id, **kwargs)
        except Exception:  # noqa: BLE001 - the change is committed; the job's periodic sweep catches up
            log.exception("could not queue job %s after commit", name)


def _after_rollback(session: Session) -> None:
    """Forget the jobs of what was rolled back: everything, or only those queued inside the
    savepoint that ended (a rolled-back savepoint fires after_rollback too)."""
    ending = session.get_nested_transaction() if session.in_nested_transaction() else None
    pending = session.info.get(PENDING, [])
    session.info[PENDING] = [] if ending is None else [job for job in pending if not _inside(job[0], ending)]


def _inside(transaction, savepoint) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False
