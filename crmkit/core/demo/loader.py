"""`crmkit demo` and serve's first run: staff, counterparties, a year of work and of deals, in one go,
then what plugins add to it (the ``demo_data`` hook, crmkit/core/demo/plugins.py).

The staff (offices, departments, a manager and a few agents in each, with random passwords) are
made through the same services as the admin pages; the records through ``writer.Writer``. The
records and the "demo.loaded" audit entry, the marker that stops a second run, commit together.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, or_, select
from sqlmodel import Session

from crmkit import audit, statistics
from crmkit.core.access.models import Department, Office
from crmkit.core.audit.models import AuditEntry
from crmkit.core.auth.models import User
from crmkit.core.auth.policy import generate_password
from crmkit.core.auth.service import create_user, find_user
from crmkit.core.contacts.models import Employment
from crmkit.core.demo import words as w
from crmkit.core.demo.clock import ZONE, Clock
from crmkit.core.demo.company import Draft, Seller, weight_of
from crmkit.core.demo.deals import write_deals
from crmkit.core.demo.diary import Contact, Diary
from crmkit.core.demo.plugins import add_plugins_data
from crmkit.core.demo.profiles import DEFAULT, PROFILES, Profile
from crmkit.core.demo.targets import write_targets
from crmkit.core.demo.writer import Writer, split
from crmkit.core.org.service import save_department, save_office

# organisations, people, activities
SIZES = {"small": (20, 150, 2000), "medium": (200, 1500, 20000), "large": (2000, 15000, 200000)}
MARKER = "demo.loaded"
ACTIVITY_BATCH = 1000


class DemoError(RuntimeError):
    """The demo can't be loaded; the message says why, in the user's language."""


@dataclass
class Outcome:
    size: str
    seed: int
    profile: str = DEFAULT
    counts: dict[str, int] = field(default_factory=dict)
    users: list[tuple[User, str]] = field(default_factory=list)  # each new user with their password


def already_loaded(db: Session) -> bool:
    """A demo was loaded before: its audit entry, or one of its users, is there."""
    marker = db.execute(select(AuditEntry.id).where(AuditEntry.action == MARKER).limit(1)).first()
    domains = [User.email.like(f"%@{p.domain}") for p in PROFILES.values()]
    staff = db.execute(select(User.id).where(or_(*domains)).limit(1)).first()
    return marker is not None or staff is not None


def load(
    db: Session, size: str = "small", seed: int | None = None, force: bool = False, today: date | None = None,
    progress: Callable[[int], None] = lambda _n: None, profile: str = DEFAULT,
) -> Outcome:
    """Make the staff, then the counterparties and their year; ``today`` anchors the year (Almaty's by default)."""
    kind = PROFILES[profile]
    if not force and already_loaded(db):
        raise DemoError("already loaded")
    seed = secrets.randbelow(1_000_000) if seed is None else seed
    today = today or datetime.now(ZONE).date()
    outcome = Outcome(size, seed, profile)
    sellers, managers, actor = staff(db, random.Random(f"{seed}:staff"), kind, size, outcome)
    n_orgs, n_people, n_activities = SIZES[size]
    company = kind.company(seed, today, sellers)
    writer = Writer(db, actor)

    organisations = company.organisations(n_orgs)
    heads = [o for o in organisations if o.parent is None]
    founded = Clock(company.rng, today)  # when each counterparty was entered
    write_drafts(writer, "organization", heads, founded, progress)
    branches = [o for o in organisations if o.parent is not None]
    for branch in branches:
        branch.data["parent_id"] = organisations[branch.parent].id
    write_drafts(writer, "organization", branches, founded, progress)

    people = company.people(organisations, n_people)
    for person in people:
        if person.parent is not None:
            person.data["organization_id"] = organisations[person.parent].id
    write_drafts(writer, "person", people, founded, progress)
    past_jobs(db, company.rng, people, organisations)

    clock = Clock(random.Random(f"{seed}:diary"), today)
    diary = Diary(clock.rng, clock, kind.texts)
    contacts = [contact_of("organization", d) for d in organisations] + [contact_of("person", d) for d in people]
    write_activities(writer, diary, contacts, sellers + managers, n_activities, progress)
    deals = write_deals(db, writer, seed, today, organisations, people, size, kind.book, kind.texts)
    write_targets(db, deals, sellers, managers, today, actor)
    added = add_plugins_data(db, writer, profile, seed, today, sellers, managers, people, organisations)

    outcome.counts = {**dict(writer.written), **added}
    audit.record(MARKER, user=actor, commit=False, session=db, profile=profile, size=size, seed=seed, **outcome.counts)
    db.commit()
    statistics.refresh(db.connection())  # thousands of new rows: lists should walk their sort index
    db.commit()
    return outcome


def staff(db: Session, rng: random.Random, kind: Profile, size: str, outcome: Outcome) -> tuple[list[Seller], list[Seller], User]:
    """Offices, the departments under one head department, and their people."""
    offices = {}
    for name, address, phone in kind.offices:
        office = db.execute(select(Office).where(Office.name == name)).scalar_one_or_none()
        offices[name] = (office or save_office(db, None, name, address, "Asia/Almaty"), phone)
    db.flush()
    top = department(db, kind.head_department, offices[kind.offices[0][0]][0].id, None)
    director = new_user(db, rng, "manager", top, None, outcome, kind.domain)
    save_department(db, top, top.name, top.office_id, None, director.id)
    sellers: list[Seller] = []
    managers: list[Seller] = []
    for name, office_name, *_rest in kind.departments[: kind.departments_by_size[size]]:
        office, phone = offices[office_name]
        unit = department(db, name, office.id, top.id)
        line = "+7" + "".join(c for c in phone if c.isdigit())[1:]
        head = new_user(db, rng, "manager", unit, director.id, outcome, kind.domain)
        save_department(db, unit, unit.name, unit.office_id, top.id, head.id)
        managers.append(Seller(head.id, head.name, head.email, office_name, name, line))
        for _ in range(rng.randint(*kind.agents[size])):
            agent = new_user(db, rng, "agent", unit, head.id, outcome, kind.domain)
            sellers.append(Seller(agent.id, agent.name, agent.email, office_name, name, line))
    db.commit()
    actor = db.execute(select(User).where(User.role == "admin", User.is_active).order_by(User.id)).scalars().first()
    return sellers, managers, actor or director


def department(db: Session, name: str, office_id: int, parent_id: int | None) -> Department:
    found = db.execute(select(Department).where(Department.name == name).order_by(Department.id)).scalars().first()
    unit = found or save_department(db, None, name, office_id, parent_id, None)
    db.flush()
    return unit


def new_user(db: Session, rng: random.Random, role: str, unit: Department, manager_id: int | None, outcome: Outcome,
             domain: str = w.OUR_DOMAIN) -> User:
    """A member of staff with a random password, which is shown once at the end and kept nowhere."""
    kazakh = rng.random() < 0.6
    male = rng.random() < 0.5
    if kazakh:
        first = rng.choice(w.KAZAKH_MALE if male else w.KAZAKH_FEMALE)
        surname = rng.choice(w.KAZAKH_SURNAMES) + ("" if male else "а")
    else:
        first = rng.choice(w.RUSSIAN_MALE if male else w.RUSSIAN_FEMALE)
        surname = rng.choice(("Ким", "Пак", "Иванов", "Смирнов", "Петров", "Волков", "Лебедев", "Соколов"))
        surname += "а" if not male and surname[-1] in "вн" else ""
    local, n = f"{w.latin(first)}.{w.latin(surname)}", 1
    while find_user(db, f"{local}@{domain}"):
        n += 1
        local = f"{w.latin(first)}.{w.latin(surname)}{n}"
    password = generate_password(f"{local}@{domain}", f"{first} {surname}")
    user = create_user(
        db, f"{local}@{domain}", password, name=f"{first} {surname}", role=role, department_id=unit.id,
        manager_id=manager_id, timezone="Asia/Almaty", locale="ru",
    )
    outcome.users.append((user, password))
    return user


def write_drafts(writer: Writer, key: str, drafts: list[Draft], clock: Clock, progress: Callable[[int], None]) -> None:
    items = ((d.data, columns(clock, d)) for d in drafts)
    for draft, (record_id, row) in zip(drafts, writer.write(key, items), strict=True):
        draft.id, draft.stored = record_id, row
    progress(len(drafts))


def columns(clock: Clock, draft: Draft) -> dict[str, Any]:
    """What the app sets itself: the owner created it, on a working day as long ago as the draft says."""
    created = clock.working_time(draft.created_day)
    return {"owner_id": draft.owner.id, "created_by_id": draft.owner.id, "created_at": created, "updated_at": created}


def past_jobs(db: Session, rng: random.Random, people: list[Draft], organisations: list[Draft]) -> None:
    """Where some people worked before: another organisation of the same industry."""
    rows = []
    for person in people:
        if person.parent is None or rng.random() > 0.06:
            continue
        industry = organisations[person.parent].data["industry"]
        before = [o for o in organisations if o.data["industry"] == industry and o is not organisations[person.parent]]
        if before:
            rows.append({"person_id": person.id, "organization_id": rng.choice(before).id, "current": False,
                         "position": rng.choice(w.POSITIONS)})
    if rows:
        db.execute(insert(Employment.__table__), rows)


def contact_of(entity: str, draft: Draft) -> Contact:
    """A written draft as activities see it; one known for a month gets a twelfth of a year's work."""
    stored = draft.stored
    known = min(-draft.created_day, 365) / 365
    return Contact(entity, draft.id, stored["name"], draft.owner, draft.created_day, stored.get("phone"),
                   stored.get("email"), stored.get("address"), weight_of(stored, entity) * known)


def write_activities(
    writer: Writer, diary: Diary, contacts: list[Contact], sellers: list[Seller], total: int, progress: Callable[[int], None],
) -> None:
    """Each seller's day, then a year with each counterparty, the total shared by how much work each gets."""
    entity = writer.entity("activity")
    by_owner: dict[int, list[Contact]] = {}
    for contact in contacts:
        if contact.entity == "person":
            by_owner.setdefault(contact.owner.id, []).append(contact)
    rows = []
    for seller in sellers:
        mine = by_owner.get(seller.id) or [c for c in contacts if c.owner.department == seller.department and c.entity == "person"]
        rows += diary.agenda(seller, mine)
    budget = max(total - len(rows), 0)
    weights = sum(c.weight for c in contacts) or 1.0
    batch = rows
    for contact in contacts:
        expected = budget * contact.weight / weights
        count = int(expected) + (diary.rng.random() < expected - int(expected))
        batch += diary.year(contact, count)
        if len(batch) >= ACTIVITY_BATCH:
            writer.write("activity", (split(entity, row) for row in batch))
            progress(len(batch))
            batch = []
    if batch:
        writer.write("activity", (split(entity, row) for row in batch))
        progress(len(batch))
