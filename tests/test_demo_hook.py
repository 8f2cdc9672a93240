"""The demo_data hook: a plugin adds its own records to the demo company, in the same load."""

from __future__ import annotations

from datetime import date
from types import ModuleType

from sqlalchemy import select

from crmkit import db, hookimpl
from crmkit.core.activities.models import Activity
from crmkit.core.demo.loader import load

TODAY = date(2026, 3, 16)


SEEN: list = []


@hookimpl
def demo_data(demo):
    """A plugin's: one note per agent, written as the demo writes, and a row of its own counted."""
    SEEN.append((demo.profile, len(demo.people) > 0, len(demo.staff)))
    items = [({"kind": "note", "subject": f"Demo note for {agent.name}", "about_entity": "person",
               "about_id": demo.people[0].id}, {"owner_id": agent.id, "created_by_id": agent.id})
             for agent in demo.staff]
    demo.write("activity", items)
    return {"notes.extra": 3}


def notes_plugin() -> ModuleType:
    module = ModuleType("tests.plugins.demo_notes.hooks")
    module.__file__ = __file__
    module.demo_data = demo_data
    return module


def test_hook_demo_data(make_app, make_user):
    make_user("admin", is_admin=True)
    SEEN.clear()
    app = make_app(plugins=[notes_plugin()])
    with app.app_context():
        session = db.session()
        outcome = load(session, "small", seed=7, today=TODAY, profile="trading")
        notes = session.execute(select(Activity.subject).where(Activity.subject.like("Demo note for %"))).scalars().all()
    (profile, has_people, agents), = SEEN
    assert (profile, has_people) == ("trading", True) and len(notes) == agents > 0
    assert outcome.counts["notes.extra"] == 3
