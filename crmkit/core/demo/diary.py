"""A year of the demo company's work with each counterparty, and every seller's day today.

Rows are whole ``activity`` rows, as the activity form would store them: calls with their
outcome and talk time, emails, meetings with an end, notes, and tasks that are done, cancelled,
overdue, due today or ahead. What has happened lies before today (Asia/Almaty); today holds
only what is planned (tasks and meetings), so the demo reads right at any hour it is loaded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from types import ModuleType

from crmkit.core.demo import texts
from crmkit.core.demo.clock import Clock
from crmkit.core.demo.company import Seller

COLUMNS = (
    "body", "ends_at", "direction", "our_address", "their_address", "duration_seconds", "outcome", "recording_url",
    "place", "participants", "priority", "status", "done_at", "reminder_at", "reminded_at",
)
KIND_WEIGHTS = {"call": 45, "email": 25, "meeting": 8, "task": 14, "note": 8}


@dataclass
class Contact:
    """A person or an organisation as written, with what its activities need."""

    entity: str
    id: int
    name: str
    owner: Seller
    created_day: int
    phone: str | None
    email: str | None
    address: str | None
    weight: float


class Diary:
    def __init__(self, rng: random.Random, clock: Clock, words: ModuleType = texts):
        self.rng = rng
        self.clock = clock
        self.t = words  # the profile's texts: what its staff write
        self.number = 1200  # invoices, contracts and orders are numbered in the order they come

    # filling in
    def fill(self, template: str, moment: datetime) -> str:
        self.number += self.rng.randint(1, 3)
        return template.format(
            product=self.rng.choice(self.t.PRODUCTS), number=self.number,
            month=self.t.MONTHS[self.clock.month(moment)], last_month=self.t.MONTHS[self.clock.month(moment, 1)],
        )

    def row(self, kind: str, contact: Contact | None, owner: Seller, at: datetime, created: datetime, **values: Any) -> dict[str, Any]:
        row = dict.fromkeys(COLUMNS)
        row.update(values)
        updated = max(created, row["done_at"] or created)
        row.update(
            kind=kind, subject=row.pop("subject", ""), happened_at=at,
            about_entity=contact.entity if contact else None, about_id=contact.id if contact else None,
            owner_id=owner.id, created_by_id=owner.id, created_at=created, updated_at=updated,
            archived_at=None, version=1, extra={},
        )
        return row

    def since(self, contact: Contact, moment: datetime, days: int) -> datetime:
        """A moment up to ``days`` before ``moment``, not before the contact was created."""
        earliest = self.clock.at(contact.created_day, time(9, 0))
        return max(moment - timedelta(days=self.rng.randint(0, days), hours=self.rng.randint(0, 6)), earliest)

    # a year with one counterparty
    def year(self, contact: Contact, count: int) -> list[dict[str, Any]]:
        rng = self.rng
        low = min(max(contact.created_day, -365), -1)
        rows = []
        for _ in range(count):
            kind = self.kind(contact)
            day = self.clock.working_day(low, -1)
            rows.append(getattr(self, kind)(contact, contact.owner, day))
        if contact.weight >= 0.25 and rng.random() < 0.2:  # not competitors: a follow-up ahead
            ahead = self.clock.working_day(1, 21)
            rows.append(self.task(contact, contact.owner, ahead) if rng.random() < 0.6 else self.meeting(contact, contact.owner, ahead))
        rows.sort(key=lambda r: r["happened_at"])
        return rows

    def kind(self, contact: Contact) -> str:
        kind = self.rng.choices(tuple(KIND_WEIGHTS), tuple(KIND_WEIGHTS.values()))[0]
        if kind == "call" and not contact.phone:
            kind = "email" if contact.email else "meeting"
        if kind == "email" and not contact.email:
            kind = "call" if contact.phone else "note"
        return kind

    def call(self, contact: Contact, owner: Seller, day: int, outcome: str | None = None, inbound: bool | None = None) -> dict[str, Any]:
        rng = self.rng
        at = self.clock.working_time(day, seconds=True)
        inbound = rng.random() < 0.35 if inbound is None else inbound
        if inbound:
            outcome = outcome or rng.choices(("answered", "missed"), (85, 15))[0]
            subject, body = rng.choice(self.t.INBOUND_CALLS)
        else:
            outcome = outcome or rng.choices(("answered", "no_answer", "busy"), (70, 18, 12))[0]
            subject, body = rng.choice(self.t.OUTBOUND_CALLS)
        if outcome == "answered":
            seconds, text = min(max(int(rng.lognormvariate(5.0, 0.7)), 15), 2400), self.fill(body, at)
        else:
            seconds, text = 0, None
            subject = "Пропущенный звонок" if outcome == "missed" else subject
        return self.row(
            "call", contact, owner, at, at, subject=self.fill(subject, at), body=text,
            direction="inbound" if inbound else "outbound", our_address=owner.line, their_address=contact.phone,
            duration_seconds=seconds, outcome=outcome,
        )

    def email(self, contact: Contact, owner: Seller, day: int) -> dict[str, Any]:
        at = self.clock.working_time(day, seconds=True)
        inbound = self.rng.random() < 0.35
        subject, body = self.rng.choice(self.t.EMAILS_IN if inbound else self.t.EMAILS_OUT)
        return self.row(
            "email", contact, owner, at, at, subject=self.fill(subject, at), body=self.fill(body, at),
            direction="inbound" if inbound else "outbound", our_address=owner.email, their_address=contact.email,
        )

    def meeting(self, contact: Contact, owner: Seller, day: int, hour: int | None = None) -> dict[str, Any]:
        rng = self.rng
        start = self.clock.at(day, time(hour or rng.randint(10, 17), rng.choice((0, 30))))
        subject, body = rng.choice(self.t.MEETINGS)
        place = contact.address if contact.address and rng.random() < 0.4 else rng.choice(self.t.MEETING_PLACES)
        planned = self.since(contact, min(start, self.clock.midnight), 10)
        return self.row(
            "meeting", contact, owner, start, planned, subject=self.fill(subject, start),
            body=self.fill(body, start) if start < self.clock.midnight else None,
            ends_at=start + timedelta(minutes=rng.choice((30, 60, 60, 90))), place=place,
            participants=f"{contact.name}\n{owner.name}",
        )

    def note(self, contact: Contact, owner: Seller, day: int) -> dict[str, Any]:
        at = self.clock.working_time(day, seconds=True)
        return self.row("note", contact, owner, at, at, subject="Заметка", body=self.fill(self.rng.choice(self.t.NOTES), at))

    def task(self, contact: Contact, owner: Seller, day: int, status: str | None = None, hour: int | None = None) -> dict[str, Any]:
        """A task due on ``day``: past ones are mostly done, some cancelled, a few from last week still open."""
        rng = self.rng
        midnight = self.clock.midnight
        due = self.clock.at(day, time(hour, rng.choice((0, 30)))) if hour else self.clock.working_time(day, step=15)
        if status is None:
            status = "open" if due >= midnight or (day >= -7 and rng.random() < 0.3) else "cancelled" if rng.random() < 0.06 else "done"
        created = self.since(contact, min(due, midnight), 10) if contact else min(due, midnight) - timedelta(days=2)
        done_at = None
        if status == "done":
            done_at = min(max(due + timedelta(minutes=rng.randint(-240, 1500)), created), midnight - timedelta(minutes=1))
        reminder = reminded = None
        if rng.random() < 0.4:
            reminder = due - rng.choice((timedelta(minutes=30), timedelta(hours=1), timedelta(days=1)))
            reminded = reminder if reminder < midnight else None
        return self.row(
            "task", contact, owner, due, created, subject=self.fill(rng.choice(self.t.TASKS), due), status=status,
            priority=rng.choices(("low", "normal", "high"), (20, 60, 20))[0], done_at=done_at,
            reminder_at=reminder, reminded_at=reminded,
        )

    # today, for one seller
    def agenda(self, seller: Seller, contacts: list[Contact]) -> list[dict[str, Any]]:
        """What fills a seller's day: tasks due today and overdue, a meeting, a missed call, what's ahead."""
        if not contacts:
            return []
        rng = self.rng
        pick = lambda: rng.choice(contacts)
        callers = [c for c in contacts if c.phone]
        hours = rng.sample(range(10, 18), 4)
        rows = [self.task(pick(), seller, 0, "open", hour) for hour in hours[: rng.randint(2, 3)]]
        rows.append(self.meeting(pick(), seller, 0, hour=hours[3]))
        rows += [self.task(pick(), seller, self.clock.working_day(-5, -1), "open") for _ in range(rng.randint(1, 2))]
        if callers:
            rows.append(self.call(rng.choice(callers), seller, self.clock.working_day(-2, -1), "missed", inbound=True))
        for _ in range(rng.randint(2, 3)):
            ahead = self.clock.working_day(1, 10)
            rows.append(self.task(pick(), seller, ahead, "open") if rng.random() < 0.6 else self.meeting(pick(), seller, ahead))
        return rows
