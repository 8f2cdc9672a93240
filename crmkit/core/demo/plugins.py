"""What plugins add to the demo company (the ``demo_data`` hook): a vertical's own records (an
agency's objects, showings and offers) written in the load's transaction, beside the core's.

Each plugin gets a ``Demo``: the company as written so far and the load's writer, so its records
go in exactly as the core's do (the schema's checks, the create entry in the history, the search
index), and a random generator of its own, so one seed makes the same data again.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlmodel import Session

from crmkit.core.demo.company import Draft, Seller
from crmkit.core.demo.writer import Writer


@dataclass(frozen=True)
class DemoContact:
    """A person or organisation of the demo, as written: its id, name, tags, city and owner's id."""

    id: int
    name: str
    tags: str
    city: str
    owner_id: int
    phone: str | None = None


@dataclass
class Demo:
    """The demo company as loaded so far, handed to each plugin's ``demo_data``.

    :ivar session: the load's session; don't commit, the load commits everything at once.
    :ivar profile: ``"agency"`` or ``"trading"``; a plugin adds nothing to a company it doesn't fit.
    :ivar seed: the load's seed; ``rng`` is a ``random.Random`` of the plugin's own, derived from it.
    :ivar today: the day the year is built up to (Almaty's date).
    :ivar actor: the user the load writes as (an admin).
    :ivar staff: the agents (``Seller``: ``id``, ``name``, ``email``, ``office``, ``department``, ``line``).
    :ivar managers: the heads of the departments, in the same form.
    :ivar people: ``DemoContact`` of each person written; ``organizations`` of each organisation.
    """

    session: Session
    profile: str
    seed: int
    today: date
    actor: Any
    staff: list[Seller]
    managers: list[Seller]
    people: list[DemoContact]
    organizations: list[DemoContact]
    writer: Writer
    rng: random.Random = field(default_factory=random.Random)

    def write(self, entity_key: str, items: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[tuple[int, dict[str, Any]]]:
        """Write records of ``entity_key`` from ``(input, columns)`` pairs: input as a form sends
        it, columns as the app sets them (``owner_id``, ``created_by_id``, ``created_at``,
        ``updated_at``...). Returns each record's id and stored values, in order."""
        return self.writer.write(entity_key, items)

    def lead_source(self, key: str, names: dict[str, str], numbers: Iterable[str] = ()) -> int:
        """The id of the lead source ``key``, made with its names per language and the tracking
        numbers pointing to it when it isn't there (as the admins' Sources page makes one)."""
        from sqlalchemy import select

        from crmkit.core.leads.models import Source, SourceMatch
        from crmkit.core.leads.sources import forget, match_value

        found = self.session.execute(select(Source.id).where(Source.key == key)).scalar_one_or_none()
        if found is not None:
            return found
        source = Source(key=key, names=dict(names))
        self.session.add(source)
        self.session.flush()
        for number in numbers:
            value = match_value("number", number)
            taken = self.session.execute(select(SourceMatch.id).where(SourceMatch.kind == "number", SourceMatch.value == value))
            if taken.first() is None:
                self.session.add(SourceMatch(source_id=source.id, kind="number", value=value))
        self.session.flush()
        forget()
        return source.id


def contact(draft: Draft) -> DemoContact:
    stored = draft.stored
    return DemoContact(draft.id, stored.get("name") or "", stored.get("tags") or "", draft.city,
                       draft.owner.id, stored.get("phone"))


def add_plugins_data(db: Session, writer: Writer, profile: str, seed: int, today: date, staff: list[Seller],
                     managers: list[Seller], people: list[Draft], organizations: list[Draft]) -> dict[str, int]:
    """Call every plugin's ``demo_data``; the counts of what they wrote (besides the writer's own)."""
    pm = current_app.extensions["crmkit"].pm
    counts: dict[str, int] = {}
    contacts = [contact(p) for p in people], [contact(o) for o in organizations]
    for impl in pm.hook.demo_data.get_hookimpls():
        demo = Demo(db, profile, seed, today, writer.actor, staff, managers, *contacts, writer,
                    random.Random(f"{seed}:{impl.plugin_name}"))
        for key, count in (impl.function(**{name: demo for name in impl.argnames}) or {}).items():
            counts[key] = counts.get(key, 0) + int(count)
    return counts
