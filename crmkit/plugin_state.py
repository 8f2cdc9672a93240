"""Which installed plugins a deployment has enabled, stored in its database.

Disabling only flips the flag: the plugin's tables and rows stay, ready for re-enabling.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, inspect
from sqlmodel import Field, Session, SQLModel, select

from crmkit.db import utcnow


class PluginState(SQLModel, table=True):
    __tablename__ = "core_plugin_state"

    name: str = Field(primary_key=True, max_length=100)
    enabled: bool = Field(default=False)
    changed_at: datetime = Field(default_factory=utcnow)


def enabled_names(engine: Engine) -> set[str]:
    """The enabled plugins; none before the database has been initialised."""
    if not inspect(engine).has_table(PluginState.__tablename__):
        return set()
    with Session(engine) as db:
        return set(db.exec(select(PluginState.name).where(PluginState.enabled)).all())


def set_enabled(engine: Engine, name: str, enabled: bool) -> None:
    with Session(engine) as db:
        state = db.get(PluginState, name) or PluginState(name=name)
        state.enabled = enabled
        state.changed_at = utcnow()
        db.add(state)
        db.commit()
