"""The activities plugin's part of a merge: calls, emails, meetings, tasks and notes about the
merged record come to be about the kept one, and go back when the merge is undone."""

from __future__ import annotations

from sqlalchemy import select, update

from crmkit import db, hookimpl
from crmkit.core.activities.models import Activity
from crmkit.db import utcnow

CHUNK = 500


def _repoint(ids: list[int], entity_key: str, from_id: int, to_id: int) -> list[int]:
    """Point the given activities (those still about ``from_id``) at ``to_id``; returns them."""
    session = db.session()
    done = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        mine = (Activity.id.in_(chunk), Activity.about_entity == entity_key, Activity.about_id == from_id)
        found = list(session.execute(select(Activity.id).where(*mine)).scalars())
        if found:
            values = {Activity.about_id: to_id, Activity.version: Activity.version + 1, Activity.updated_at: utcnow()}
            statement = update(Activity).where(Activity.id.in_(found)).values(values)
            session.execute(statement.execution_options(synchronize_session="fetch"))
        done.extend(found)
    return done


@hookimpl
def records_merged(entity, kept, merged, user):
    """Every activity about the merged record (one indexed query) moves to the kept one."""
    about = (Activity.about_entity == entity.key, Activity.about_id == merged.id)
    ids = list(db.session().execute(select(Activity.id).where(*about).order_by(Activity.id)).scalars())
    moved = _repoint(ids, entity.key, merged.id, kept.id)
    return {"activities": moved} if moved else None


@hookimpl
def records_unmerged(entity, kept, merged, moved, user):
    """Back to the restored record: only those still about the kept one (not re-filed since)."""
    _repoint(list((moved or {}).get("activities") or []), entity.key, kept.id, merged.id)
