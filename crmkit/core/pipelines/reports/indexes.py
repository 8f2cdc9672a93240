"""The index the funnel reads moves through: ``core_transition`` by (entity, target state, time,
record). A funnel of a period is, per stage, one range of it (every deal entering the stage in the
period), read from the index alone since it also holds the deal's id: at 1M deals a month's
entries are ~55k index entries and no table row. The older ``ix_core_transition_state`` (the
same without ``record_id``) made each entry a lookup of its table row as well.

With the stay's length (``seconds``, set by the deal's next move) in it as well, a month's time in
each stage is read from it alone too. It is declared here, beside the only reader, on the entity
framework's table; the core migration f5a6b7c8d9e0 creates it and 1c2d3e4f5a6b adds ``seconds``.
"""

from __future__ import annotations

from sqlalchemy import Index

from crmkit.entities.transitions import Transition

T = Transition.__table__
ENTRIES = next((index for index in T.indexes if index.name == "ix_core_transition_entries"), None) or Index(
    "ix_core_transition_entries", T.c.entity, T.c.to_state, T.c.at, T.c.record_id, T.c.seconds
)
