"""Leads for the lead triage measurements: one per contact, as an agency's intake piles up over
three years. Most were dealt with long ago (converted, rejected, worked); the unsorted queue holds
at most ``QUEUE_CAP`` new ones and quality control ``REVIEW_CAP``, as a team keeps them short.
A converted lead points at a deal of benchmarks/deals.py, which keeps it as its origin, so the
leads report's revenue joins real deals. Grows in place: ``grow(app, data, 100_000)`` after
10,000 adds the 90,000 missing leads.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import func, insert, select, text

from benchmarks import deals as deal_data
from benchmarks.data import BATCH, Dataset, phone_of, settle
from crmkit import db, statistics
from crmkit.core.lead_triage.models import DealOrigin
from crmkit.core.leads.models import Lead, Source

QUEUE_CAP = 2_000
REVIEW_CAP = 500
YEARS = 3
CHANNELS = ("form", "webhook", "email", "manual")
DONE = (("converted", 25), ("rejected", 25), ("assigned", 25), ("in_work", 25))
REASONS = ("spam", "duplicate", "not_target", "no_answer", "other")


@dataclass
class LeadSet:
    sources: list[int]
    leads: int = 0
    new: int = 0
    reviewing: int = 0


def lead_set(app: Flask, data: Dataset) -> LeadSet:
    found = getattr(data, "lead_set", None)
    if found is None:
        with app.app_context():
            session = db.session()
            rows = [Source(key=key, names={"en": key.capitalize()}) for key in ("krisha", "olx", "instagram", "site")]
            session.add_all(rows)
            session.commit()
            found = LeadSet([row.id for row in rows])
        data.lead_set = found
    return found


def grow(app: Flask, data: Dataset, target: int, seed: int = 23, block: int = 50_000) -> LeadSet:
    """Leads up to ``target`` (and deals as many, for the converted ones to point at)."""
    found = lead_set(app, data)
    deal_data.grow(app, data, target)
    while found.leads < target:
        upto = min(target, found.leads + block)
        with app.app_context():
            _add(db.session(), data, found, upto, random.Random(seed * 1_000_003 + found.leads))
    with app.app_context():
        session = db.session()
        statistics.refresh(session.connection(), ["leads_lead", "lead_triage_deal_origin"])
        session.commit()
        if session.get_bind().dialect.name == "postgresql":
            with db.engine().connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM leads_lead"))
    settle(app)
    return found


def status_of(found: LeadSet, rng: random.Random) -> str:
    if found.new < QUEUE_CAP and rng.random() < 0.02:
        found.new += 1
        return "new"
    if found.reviewing < REVIEW_CAP and rng.random() < 0.01:
        found.reviewing += 1
        return "reprocessing"
    return rng.choices([s for s, _w in DONE], [w for _s, w in DONE])[0]


def _add(session, data: Dataset, found: LeadSet, upto: int, rng: random.Random) -> None:
    highest = session.execute(select(func.max(Lead.id))).scalar() or 0
    now = datetime.now(UTC)
    rows = []
    for index in range(found.leads, upto):
        received = now - timedelta(days=rng.uniform(0, 365 * YEARS))
        status = status_of(found, rng)
        owner = None if status == "new" else data.owner_ids[index % len(data.owner_ids)]
        responded = received + timedelta(minutes=rng.randint(2, 600)) if status != "new" and rng.random() < 0.8 else None
        rejected = status == "rejected" or (status == "reprocessing" and rng.random() < 0.5)
        rows.append({
            "name": f"Заявка {index}", "organization_name": None, "phones": phone_of(index), "emails": None,
            "phone_key": phone_of(index), "email_key": None, "request": "Ищу 2-комнатную квартиру в Алматы",
            "channel": CHANNELS[index % len(CHANNELS)], "source_id": rng.choice([*found.sources, None]),
            "utm_source": None, "utm_medium": None, "utm_campaign": None, "utm_content": None, "utm_term": None,
            "referrer": None, "landing_page": None, "raw": None, "external_id": None, "received_at": received,
            "status": status, "response_due_at": None, "first_response_at": responded, "assigned_at": None,
            "last_action_at": responded or received, "rejection_reason": rng.choice(REASONS) if rejected else None,
            "rejection_note": None, "reprocess_reason": ("rejected" if rejected else "stale") if status == "reprocessing" else None,
            "reprocess_note": None, "person_id": None, "organization_id": None,
            "deal_id": index + 1 if status == "converted" else None, "duplicate_of_id": None,
            "owner_id": owner, "created_by_id": None, "created_at": received, "updated_at": received, "version": 1,
            "archived_at": None, "extra": {},
        })
    for start in range(0, len(rows), BATCH):
        session.execute(insert(Lead.__table__), rows[start : start + BATCH])
    ids = list(session.execute(select(Lead.id).where(Lead.id > highest).order_by(Lead.id)).scalars())
    origins = [{"deal_id": row["deal_id"], "lead_id": lead_id, "channel": row["channel"], "source_id": row["source_id"],
                "utm_source": None, "utm_medium": None, "utm_campaign": None, "utm_content": None, "utm_term": None,
                "referrer": None, "at": row["received_at"]}
               for lead_id, row in zip(ids, rows, strict=True) if row["deal_id"]]
    for start in range(0, len(origins), BATCH):
        session.execute(insert(DealOrigin.__table__), origins[start : start + BATCH])
    session.commit()
    found.leads = upto
