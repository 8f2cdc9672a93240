"""Background jobs: declared through register_jobs, bound to each app's own Huey, run in an app
context as the user who queued them."""

import signal
import time
import types
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from crmkit import Job, PeriodicJob, db, hookimpl, jobs
from crmkit.core.access.models import Role
from crmkit.core.auth.models import User
from crmkit.core.jobs.commands import start_in_process
from crmkit.entities.errors import Forbidden
from crmkit.entities.service import Records
from tests.conftest import add_user
from tests.plugins.projects import hooks as projects

INLINE = Path(__file__).parent / "plugins" / "inline"
REDIS_URL = "redis://127.0.0.1:6379/15"


def plugin(name, **impls):
    module = types.ModuleType(name)
    module.__file__ = str(INLINE / "hooks.py")
    for hook, function in impls.items():
        setattr(module, hook, hookimpl(specname=hook)(function))
    return module


def count_projects(user):
    """A job that reads through Records, so the user's permissions and visibility apply."""
    from flask import current_app

    records = Records(current_app.extensions["crmkit"].entities.get("projects.project"), user)
    return db.session().execute(select(func.count()).select_from(records.select().subquery())).scalar_one()


def create_project(name, user):
    from flask import current_app

    return Records(current_app.extensions["crmkit"].entities.get("projects.project"), user).create({"name": name}).id


COUNTER = plugin(
    "counter",
    register_jobs=lambda: [Job(count_projects), Job(create_project, name="create")],
)


def with_projects(app, owner_email, names):
    with app.app_context():
        user = db.session().execute(select(User).where(User.email == owner_email)).scalar_one()
        entity = app.extensions["crmkit"].entities.get("projects.project")
        for name in names:
            Records(entity, user).create({"name": name})


def test_hook_register_jobs(make_app):
    app = make_app(plugins=[projects, COUNTER], JOBS_IMMEDIATE=True)
    admin = add_user(app, is_admin=True)
    with app.app_context():
        assert {"counter.count_projects", "counter.create", "core.webhooks.deliver"} <= set(jobs.jobs_of().tasks)
        result = jobs.enqueue("counter.create", "Made by a job", user=admin.id)
        assert result.get() == 1
        assert db.session().get(projects.Project, 1).created_by_id == admin.id


def test_a_job_sees_only_what_its_user_may_see(make_app):
    app = make_app(plugins=[projects, COUNTER], JOBS_IMMEDIATE=True)
    admin = add_user(app, is_admin=True)
    agent = add_user(app, "agent@example.com", role="agent")
    with_projects(app, "admin@example.com", ["A", "B"])
    with_projects(app, "agent@example.com", ["C"])
    with app.app_context():
        assert jobs.enqueue("counter.count_projects", user=agent.id).get() == 1
        assert jobs.enqueue("counter.count_projects", user=admin.id).get() == 3


def test_a_job_is_refused_what_its_user_may_not_do(make_app):
    app = make_app(plugins=[projects, COUNTER], JOBS_IMMEDIATE=True)
    add_user(app, "nobody@example.com", role="agent")
    with app.app_context():
        role = db.session().get(Role, "agent")
        role.permissions = ["*.view"]
        db.session().commit()
        user_id = db.session().execute(select(User.id).where(User.email == "nobody@example.com")).scalar_one()
        with pytest.raises(Forbidden):
            jobs.jobs_of().tasks["counter.create"].call_local(user_id, ("Not allowed",), {})
        assert db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one() == 0


def test_a_job_of_a_deactivated_user_does_not_run(make_app):
    app = make_app(plugins=[projects, COUNTER], JOBS_IMMEDIATE=True)
    gone = add_user(app, "gone@example.com", is_active=False)
    with app.app_context(), pytest.raises(jobs.JobError, match="deactivated"):
        jobs.jobs_of().tasks["counter.create"].call_local(gone.id, ("Ghost",), {})


def test_a_job_queued_from_a_request_acts_as_the_logged_in_user(make_app, admin_client_for):
    from flask import Blueprint

    bp = Blueprint("queue_it", __name__, url_prefix="/queue_it")

    @bp.route("/", methods=["POST"])
    def queue():
        return {"id": jobs.enqueue("queuer.create", "From a request").get()}

    queuer = plugin("queuer", register_jobs=lambda: [Job(create_project, name="create")], register_blueprints=lambda: [bp])
    app = make_app(plugins=[projects, queuer], JOBS_IMMEDIATE=True, WTF_CSRF_ENABLED=False)
    client = admin_client_for(app)
    record_id = client.post("/queue_it/").get_json()["id"]
    with app.app_context():
        admin_id = db.session().execute(select(User.id).where(User.email == "admin@example.com")).scalar_one()
        assert db.session().get(projects.Project, record_id).owner_id == admin_id


def test_each_app_binds_the_jobs_to_its_own_queue(make_app):
    first, second = make_app(plugins=[projects, COUNTER]), make_app(plugins=[projects, COUNTER], migrate=False)
    assert jobs.jobs_of(first).huey is not jobs.jobs_of(second).huey
    assert jobs.jobs_of(first).tasks["counter.create"] is not jobs.jobs_of(second).tasks["counter.create"]


def test_two_jobs_of_one_name_stop_start_up(make_app):
    twice = plugin("twice", register_jobs=lambda: [Job(count_projects), Job(count_projects)])
    with pytest.raises(jobs.JobError, match="twice.count_projects"):
        make_app(plugins=[projects, twice])


def test_by_default_jobs_wait_in_a_sqlite_queue_in_the_instance_folder(make_app, instance_path):
    app = make_app(plugins=[projects, COUNTER])
    admin = add_user(app, is_admin=True)
    assert not (instance_path / "jobs.sqlite3").exists()  # nothing is created until a job is queued
    with app.app_context():
        jobs.enqueue("counter.create", "Queued", user=admin.id)
        huey = jobs.jobs_of().huey
        assert (instance_path / "jobs.sqlite3").exists() and huey.pending_count() == 1
        assert db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one() == 0
        huey.execute(huey.dequeue())  # what a worker does
        assert db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one() == 1


def test_jobs_url_redis_queues_jobs_in_redis(make_app):
    queue = f"crmkit-test-{uuid.uuid4().hex[:8]}"
    app = make_app(plugins=[projects, COUNTER], JOBS_URL=REDIS_URL, JOBS_QUEUE=queue)
    admin = add_user(app, is_admin=True)
    huey = jobs.jobs_of(app).huey
    assert type(huey).__name__ == "RedisHuey"
    try:
        with app.app_context():
            jobs.enqueue("counter.create", "Via Redis", user=admin.id)
            assert huey.pending_count() == 1
            huey.execute(huey.dequeue())
            assert db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one() == 1
    finally:
        huey.storage.flush_all()


def test_a_periodic_job_is_known_to_the_scheduler_and_can_be_run_at_once(make_app):
    ran = []
    ticker = plugin("ticker", register_jobs=lambda: [PeriodicJob(lambda: ran.append(1), jobs.crontab(minute="*/5"), name="tick")])
    app = make_app(plugins=[ticker], JOBS_IMMEDIATE=True)
    found = jobs.jobs_of(app)
    assert {"core.webhooks.retry_due", "core.maintenance.refresh_statistics", "ticker.tick"} <= set(found.periodic)
    assert "ticker.tick" in {t.name for t in found.huey._registry.periodic_tasks}
    with app.app_context():
        jobs.enqueue("ticker.tick")
    assert ran == [1]


def test_an_unknown_job_is_named_in_the_error(make_app):
    app = make_app(JOBS_IMMEDIATE=True)
    with app.app_context(), pytest.raises(jobs.JobError, match="no job named 'nope.nothing'"):
        jobs.enqueue("nope.nothing")


def test_serve_runs_queued_jobs_in_threads_of_its_own_process(make_app):
    """What `crmkit serve` starts beside the web server, unless told --no-worker."""
    app = make_app(plugins=[projects, COUNTER])
    admin = add_user(app, is_admin=True)
    interrupt = signal.getsignal(signal.SIGINT)
    worker = start_in_process(app)
    try:
        assert signal.getsignal(signal.SIGINT) is interrupt  # Ctrl+C still stops the server
        with app.app_context():
            jobs.enqueue("counter.create", "Made in the background", user=admin.id)
        deadline, made = time.monotonic() + 30, 0
        while not made and time.monotonic() < deadline:
            time.sleep(0.1)
            with app.app_context():
                made = db.session().execute(select(func.count()).select_from(projects.Project)).scalar_one()
        assert made == 1
    finally:
        worker.stop(graceful=True)


def test_with_jobs_run_immediately_serve_starts_no_worker(make_app):
    assert start_in_process(make_app(JOBS_IMMEDIATE=True)) is None


RAN = []
RECORDER = plugin("recorder", register_jobs=lambda: [Job(RAN.append, name="record")])


def test_a_job_queued_after_commit_waits_for_the_real_commit_not_a_released_savepoint(make_app):
    app = make_app(plugins=[RECORDER], JOBS_IMMEDIATE=True)
    RAN.clear()
    with app.app_context():
        session = db.session()
        with session.begin_nested():
            jobs.enqueue_after_commit(session, "recorder.record", "inside", user=None)
        assert RAN == []
        session.commit()
        assert RAN == ["inside"]


def test_a_rolled_back_savepoint_drops_only_the_jobs_queued_inside_it(make_app):
    app = make_app(plugins=[RECORDER], JOBS_IMMEDIATE=True)
    RAN.clear()
    with app.app_context():
        session = db.session()
        jobs.enqueue_after_commit(session, "recorder.record", "before", user=None)
        savepoint = session.begin_nested()
        jobs.enqueue_after_commit(session, "recorder.record", "undone", user=None)
        savepoint.rollback()
        session.commit()
        assert RAN == ["before"]
