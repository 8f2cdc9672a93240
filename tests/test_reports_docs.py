"""docs/reports.md's examples are code that runs: the plugin's report (under 40 lines) and the
scripted report, each registered in an app and computing the figures SQL gives."""

from __future__ import annotations

import re
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text

from crmkit import db, hookimpl
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from tests.hooking import client_of
from tests.test_reports_frame import run_as

DOC = Path(__file__).resolve().parents[1] / "docs" / "reports.md"
MAX_LINES = 40


def blocks() -> dict[str, str]:
    return dict(re.findall(r'^```python title="([^"]+)"\n(.*?)^```$', DOC.read_text(encoding="utf-8"), re.M | re.S))


def module_of(name: str, code: str) -> types.ModuleType:
    module = types.ModuleType(name)
    module.__file__ = str(Path(__file__).parent / "plugins" / name / "hooks.py")
    exec(compile(code, f"docs/reports.md ({name})", "exec"), module.__dict__)  # noqa: S102 - our own documentation
    return module


def calls(app, owner_email: str) -> None:
    now = datetime.now(UTC)
    with app.app_context():
        session = db.session()
        owner = session.execute(select(User.id).where(User.email == owner_email)).scalar_one()
        session.add_all([
            Activity(kind="call", subject="in", direction="inbound", duration_seconds=120, outcome="answered", owner_id=owner,
                     happened_at=now - timedelta(hours=1)),
            Activity(kind="call", subject="out", direction="outbound", duration_seconds=60, outcome="missed", owner_id=owner,
                     happened_at=now - timedelta(hours=2)),
            Activity(kind="meeting", subject="not a call", owner_id=owner, happened_at=now),
        ])
        session.commit()


def test_the_plugin_example_is_under_forty_lines_and_runs(make_app):
    code = blocks()["crmkit_calls/hooks.py"]
    assert len(code.strip().splitlines()) < MAX_LINES
    app = make_app(plugins=[module_of("crmkit_calls", code)])
    client = client_of(app)
    calls(app, "admin@example.com")
    result, _ = run_as(app, "admin@example.com", "calls.calls", period="all", by="owner")
    with app.app_context():
        expected = db.session().execute(text(
            "SELECT count(*), sum(duration_seconds) FROM activity WHERE kind = 'call' AND archived_at IS NULL")).one()
    (row,) = result.rows
    assert (row.values["count"], row.values["inbound"], float(row.values["minutes"])) == (expected[0], 1, expected[1] / 60)
    page = client.get("/reports/calls.calls/?period=all&by=outcome").get_data(as_text=True)
    assert re.search(r'<a href="/activity/\?[^"]*outcome=missed[^"]*">1</a>', page)


def test_the_scripted_example_counts_calls_by_the_hour_of_the_user_s_clock(make_app):
    example = module_of("crmkit_hours", blocks()["a scripted report"])

    @hookimpl
    def register_reports():
        return [example.CALLS_BY_HOUR]

    holder = types.ModuleType("crmkit_hours")
    holder.__file__ = example.__file__
    holder.register_reports = register_reports
    app = make_app(plugins=[holder])
    client_of(app, timezone="Asia/Almaty")
    calls(app, "admin@example.com")
    result, ctx = run_as(app, "admin@example.com", "hours.calls_by_hour", period="all")
    now_hour = datetime.now(ctx.tz)
    expected = {f"{(now_hour - timedelta(hours=h)).hour:02d}:00" for h in (1, 2)}
    assert {row.values["hour"] for row in result.rows if row.values["calls"]} == expected
    assert sum(row.values["calls"] for row in result.rows) == 2
