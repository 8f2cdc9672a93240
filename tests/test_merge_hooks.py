"""The merge hooks, records_merged and records_unmerged, with a plugin that keeps sticky notes on
people in a table of its own."""

from __future__ import annotations

import types

import pytest
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    select,
    update,
)

from crmkit import db
from tests.conftest import ADMIN_EMAIL
from tests.merging import create, history, merge, plugin, undo

NOTES = Table(
    "stickies_note",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("person_id", Integer, nullable=False),
    Column("text", String(100), nullable=False),
)


@pytest.fixture
def stickies(make_app, admin_client_for):
    calls = []

    def moved_notes(entity, kept, merged, user):
        session = db.session()
        ids = list(session.execute(select(NOTES.c.id).where(NOTES.c.person_id == merged.id)).scalars())
        session.execute(update(NOTES).where(NOTES.c.id.in_(ids)).values(person_id=kept.id))
        calls.append(("merged", entity.key, kept.id, merged.id, user.email))
        return {"notes": ids} if ids else None

    def moved_back(entity, kept, merged, moved, user):
        db.session().execute(update(NOTES).where(NOTES.c.id.in_(moved["notes"])).values(person_id=merged.id))
        calls.append(("unmerged", entity.key, kept.id, merged.id, moved, user.email))

    app = make_app(
        plugins=[plugin("stickies", records_merged=moved_notes, records_unmerged=moved_back)], DEFAULT_LOCALE="en"
    )
    NOTES.metadata.create_all(db.engine_of(app))
    client = admin_client_for(app)
    kept, merged = create(app, "person", name="Иванов Иван"), create(app, "person", name="Иван Иванов")
    with app.app_context():
        note = db.session().execute(insert(NOTES).values(person_id=merged, text="Prefers calls")).inserted_primary_key[0]
        db.session().commit()
    return types.SimpleNamespace(app=app, client=client, kept=kept, merged=merged, note=note, calls=calls)


def note_owner(app, note_id):
    with app.app_context():
        return db.session().execute(select(NOTES.c.person_id).where(NOTES.c.id == note_id)).scalar_one()


def test_hook_records_merged(stickies):
    assert merge(stickies.client, "person", stickies.kept, stickies.merged).status_code == 302
    assert note_owner(stickies.app, stickies.note) == stickies.kept
    assert stickies.calls == [("merged", "person", stickies.kept, stickies.merged, ADMIN_EMAIL)]
    entry = next(c for c in history(stickies.app, "person", stickies.kept) if c.action == "merge")
    assert entry.changes["moved"]["stickies"] == {"notes": [stickies.note]}


def test_hook_records_unmerged(stickies):
    merge(stickies.client, "person", stickies.kept, stickies.merged)
    assert undo(stickies.client, "person", stickies.kept).status_code == 302
    assert note_owner(stickies.app, stickies.note) == stickies.merged
    assert stickies.calls[-1] == (
        "unmerged", "person", stickies.kept, stickies.merged, {"notes": [stickies.note]}, ADMIN_EMAIL
    )


def test_a_plugin_that_moved_nothing_is_not_called_on_undo(stickies):
    with stickies.app.app_context():
        db.session().execute(update(NOTES).values(person_id=stickies.kept))
        db.session().commit()
    merge(stickies.client, "person", stickies.kept, stickies.merged)
    undo(stickies.client, "person", stickies.kept)
    assert [call[0] for call in stickies.calls] == ["merged"]
    with stickies.app.app_context():
        assert db.session().execute(select(func.count()).select_from(NOTES)).scalar_one() == 1
