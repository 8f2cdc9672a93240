"""Realistic contacts, fast: bulk INSERTs of people, organisations (one per ten people),
activities (a few per person) and their history, then the phone/email index and the search index
built by the records_imported hook, the code path an import takes.

Data is deterministic (seeded) and grows in place: ``grow(app, 100_000)`` after
``grow(app, 10_000)`` adds the 90,000 missing people, so the sizes of a run share one database.
Person 1 is the "busy" contact with ``BUSY_ACTIVITIES`` activities, for the timeline.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from faker.providers.person.ru_RU import Provider as RuNames
from flask import Flask
from sqlalchemy import func, insert, select, text

from benchmarks import world
from crmkit import db, statistics
from crmkit.core.activities.models import Activity
from crmkit.core.auth.models import User
from crmkit.core.contacts.models import Organization, Person
from crmkit.core.maintenance.hooks import refresh_statistics
from crmkit.entities.history import Change

ORGS_PER_PERSON = 0.1
ACTIVITIES_PER_PERSON = 3
BUSY_ACTIVITIES = 500
AGENTS = 20
BATCH = 5000
INDEX_BATCH = 2000
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)

KZ_MOBILE = ("700", "701", "702", "705", "707", "708", "747", "771", "775", "776", "777", "778")
RU_MOBILE = ("903", "905", "909", "915", "916", "925", "926", "929", "985", "999")
KAZAKH_LAST = ("Ахметов", "Нурланов", "Сейткали", "Жумабаев", "Касымов", "Абенов", "Токаев", "Омаров", "Бекова", "Сапарова")
KAZAKH_FIRST = ("Айгерим", "Нурлан", "Данияр", "Асель", "Ерлан", "Гульнара", "Бауыржан", "Жанар", "Арман", "Динара")
COMPANY_KINDS = ("ТОО", "АО", "ИП", "ООО")
COMPANY_WORDS = ("Алатау", "Строй", "Транс", "Инвест", "Агро", "Снаб", "Логистик", "Медиа", "Сервис", "Трейд", "Нефть", "Энерго")
POSITIONS = ("Директор", "Менеджер", "Бухгалтер", "Главный инженер", "Юрист", "Снабженец", None)
SEGMENTS = ("a", "b", "c", None)
SOURCES = ("website", "referral", "cold_call", "exhibition", "advertising", "social", "partner", "other", None)
KINDS = ("call", "call", "email", "meeting", "task", "note")
TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі", [
    "a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t", "u", "f",
    "kh", "ts", "ch", "sh", "sch", "", "y", "", "e", "yu", "ya", "a", "g", "k", "n", "o", "u", "u", "h", "i"], strict=True))


def latin(text: str) -> str:
    return "".join(TRANSLIT.get(ch, ch) for ch in text.lower() if ch.isalnum())


def phone_of(index: int) -> str:
    """A distinct valid mobile number for every index: four in five in Kazakhstan, one in Russia."""
    prefixes = RU_MOBILE if index % 5 == 4 else KZ_MOBILE
    line = (index // len(prefixes) * 7919 + 1_234_567) % 10_000_000
    return f"+7{prefixes[index % len(prefixes)]}{line:07d}"


def typed(e164: str, index: int) -> str:
    """The way a person would have typed the number: 8 (701) 123-45-67, +7 701 123 4567, ..."""
    n = e164[2:]
    forms = (f"8 ({n[:3]}) {n[3:6]}-{n[6:8]}-{n[8:]}", f"+7 {n[:3]} {n[3:6]} {n[6:]}", f"8{n}", e164)
    return forms[index % len(forms)]


@dataclass
class Person_:
    name: str
    phone: str
    typed_phone: str
    email: str


def person_values(index: int, rng: random.Random) -> Person_:
    if index % 7 == 0:
        last, first, middle = rng.choice(KAZAKH_LAST), rng.choice(KAZAKH_FIRST), ""
    else:
        last, first = rng.choice(RuNames.last_names_male), rng.choice(RuNames.first_names_male)
        middle = rng.choice(RuNames.middle_names_male)
    name = " ".join(p for p in (last, first, middle) if p)
    phone = phone_of(index)
    email = f"{latin(first)[:1]}.{latin(last)}{index}@{('mail.kz', 'gmail.com', 'yandex.ru', 'inbox.kz')[index % 4]}"
    return Person_(name, phone, typed(phone, index), email)


@dataclass
class Dataset:
    """What has been generated so far in one database."""

    admin_id: int = 0
    owner_ids: list[int] = field(default_factory=list)
    people: int = 0
    organizations: int = 0
    activities: int = 0
    busy_person_id: int = 0

    @property
    def sample_person_ids(self) -> list[int]:
        """Ids spread over the whole table, for lookups and detail pages."""
        step = max(1, self.people // 40)
        return list(range(1, self.people + 1, step))[:40]


def setup_users(app: Flask) -> Dataset:
    admin = world.add_user(app, world.ADMIN_EMAIL, is_admin=True)
    owners = [world.add_user(app, f"agent{i}@example.com", role="agent").id for i in range(1, AGENTS + 1)]
    return Dataset(admin_id=admin.id, owner_ids=owners)


def grow(app: Flask, data: Dataset, people: int, seed: int = 5, block: int = 50_000) -> Dataset:
    """Add people (and their organisations, activities, history and index entries) up to
    ``people``, ``block`` people at a time so that memory stays flat at a million."""
    while data.people < people:
        target = min(people, data.people + block)
        rng = random.Random(seed * 1_000_003 + data.people)
        with app.app_context():
            session = db.session()
            organizations = _add_organizations(session, data, round(target * ORGS_PER_PERSON), rng)
            new_ids = _add_people(session, data, target, rng)
            activities = _add_activities(session, data, new_ids, rng)
            _index(app, "organization", organizations, data)
            _index(app, "person", new_ids, data)
            _index(app, "activity", activities, data)
    with app.app_context():  # what the worker's hourly job and `crmkit serve`'s start do
        refresh_statistics()
    settle(app)
    return data


def settle(app: Flask) -> None:
    """PostgreSQL: write the load's dirty pages out now (CHECKPOINT), as the server does within
    minutes of a bulk load, rather than while the first measurements run; a million people leave
    gigabytes to write. Needs a superuser or pg_checkpoint; skipped without."""
    engine = db.engine_of(app)
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        allowed = connection.execute(text(
            "SELECT rolsuper OR pg_has_role(current_user, 'pg_checkpoint', 'MEMBER') FROM pg_roles WHERE rolname = current_user"
        )).scalar()
        if allowed:
            connection.execute(text("CHECKPOINT"))


def _stamps(rng: random.Random) -> dict[str, Any]:
    created = NOW - timedelta(days=rng.randint(1, 1500), minutes=rng.randint(0, 1440))
    return {"created_at": created, "updated_at": created, "version": 1, "archived_at": None, "extra": {}}


def _insert_many(session, model, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), BATCH):
        session.execute(insert(model.__table__), rows[start : start + BATCH])
    session.commit()


def _new_ids(session, model, after: int) -> list[int]:
    return list(session.execute(select(model.id).where(model.id > after).order_by(model.id)).scalars())


def _add_organizations(session, data: Dataset, target: int, rng: random.Random) -> list[int]:
    if target <= data.organizations:
        return []
    highest = session.execute(select(func.max(Organization.id))).scalar() or 0
    rows = []
    for index in range(data.organizations, target):
        owner = data.owner_ids[index % len(data.owner_ids)]
        name = f"{rng.choice(COMPANY_KINDS)} «{rng.choice(COMPANY_WORDS)}{rng.choice(COMPANY_WORDS).lower()} {index}»"
        phone = phone_of(5_000_000 + index)
        rows.append({
            **_stamps(rng), "name": name, "phone": phone, "phones_typed": {phone: phone}, "email": f"info{index}@org{index % 97}.kz",
            "is_client": index % 3 == 0, "is_prospect": index % 3 == 1, "is_supplier": index % 11 == 0, "is_partner": False,
            "is_competitor": False, "segment": SEGMENTS[index % 4], "industry": ("it", "retail", "construction", None)[index % 4],
            "owner_id": owner, "created_by_id": owner,
        })
    _insert_many(session, Organization, rows)
    data.organizations = target
    return _new_ids(session, Organization, highest)


def _add_people(session, data: Dataset, target: int, rng: random.Random) -> list[int]:
    highest = session.execute(select(func.max(Person.id))).scalar() or 0
    rows, history = [], []
    for index in range(data.people, target):
        values = person_values(index, rng)
        owner = data.owner_ids[index % len(data.owner_ids)]
        other = phone_of(2_000_000 + index) if index % 10 == 0 else None
        rows.append({
            **_stamps(rng), "name": values.name, "phone": values.phone, "other_phones": other,
            "phones_typed": {values.phone: values.typed_phone}, "email": values.email,
            "is_client": index % 3 == 0, "is_prospect": index % 5 == 1, "is_supplier": False, "is_partner": index % 17 == 0,
            "is_competitor": False, "segment": SEGMENTS[index % 4], "source": SOURCES[index % len(SOURCES)],
            "tags": "vip" if index % 50 == 0 else None, "position": POSITIONS[index % len(POSITIONS)],
            "organization_id": 1 + index % max(1, data.organizations), "owner_id": owner, "created_by_id": owner,
        })
    _insert_many(session, Person, rows)
    ids = _new_ids(session, Person, highest)
    for record_id, row in zip(ids, rows, strict=True):
        history.append({"entity": "person", "record_id": record_id, "action": "create", "user_id": row["owner_id"],
                        "at": row["created_at"], "changes": {"name": [None, row["name"]], "phone": [None, row["phone"]]}})
    _insert_many(session, Change, history)
    if not data.busy_person_id:
        data.busy_person_id = ids[0]
    data.people = target
    return ids


def _add_activities(session, data: Dataset, person_ids: list[int], rng: random.Random) -> list[int]:
    highest = session.execute(select(func.max(Activity.id))).scalar() or 0
    rows = []
    busy = [data.busy_person_id] * BUSY_ACTIVITIES if data.busy_person_id in person_ids else []
    for person_id in [*busy, *(pid for pid in person_ids for _ in range(ACTIVITIES_PER_PERSON))]:
        kind = rng.choice(KINDS)
        happened = NOW - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
        owner = data.owner_ids[person_id % len(data.owner_ids)]
        row = {**_stamps(rng), "kind": kind, "subject": f"{kind.capitalize()} #{person_id}", "body": None,
               "about_entity": "person", "about_id": person_id, "happened_at": happened, "ends_at": None,
               "direction": None, "our_address": None, "their_address": None, "duration_seconds": None, "outcome": None,
               "status": None, "priority": None, "owner_id": owner, "created_by_id": owner}
        if kind == "call":
            row.update(direction=rng.choice(("inbound", "outbound")), their_address=phone_of(person_id - 1),
                       duration_seconds=rng.randint(0, 900), outcome=rng.choice(("answered", "answered", "missed", "busy")))
        elif kind == "task":
            row.update(status=rng.choice(("open", "done")), priority="normal")
        rows.append(row)
    _insert_many(session, Activity, rows)
    data.activities += len(rows)
    return _new_ids(session, Activity, highest)


def _index(app: Flask, entity_key: str, ids: list[int], data: Dataset) -> None:
    """Phones, emails and search entries, written as an import writes them: records_imported."""
    state = app.extensions["crmkit"]
    entity = state.entities.get(entity_key)
    session = db.session()
    user = session.get(User, data.admin_id)
    for number, start in enumerate(range(0, len(ids), INDEX_BATCH)):
        if number % 10 == 0:
            _analyze_indexes(session)
        chunk = ids[start : start + INDEX_BATCH]
        state.pm.hook.records_imported(entity=entity, created_ids=chunk, updated_ids=[], user=user)
        session.commit()


def _analyze_indexes(session) -> None:
    """PostgreSQL: statistics for the index tables as they grow, as autovacuum would keep them.

    Without them the hooks' ``DELETE ... WHERE record_id IN (2,000 parameters)`` is planned as a
    scan of the whole table that checks every row against the list (10 s a batch at 400k rows),
    which would make generating 100k people take half an hour. The contact tables get theirs
    when the fill ends, from crmkit's own hourly job (crmkit/statistics.py).
    """
    if session.get_bind().dialect.name == "postgresql":
        statistics.refresh(session.connection(), ["core_search_document", "contacts_channel"])
        session.commit()
