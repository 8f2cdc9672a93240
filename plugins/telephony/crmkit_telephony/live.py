"""What is pushed to an agent's open pages while a call rings: one row per (user, call, kind) in
``telephony_push``, so every web worker and process reads the same news, on SQLite as on
PostgreSQL, and a page that reconnects misses nothing (events carry the row's id).

With ``TELEPHONY_REDIS_URL`` set (``redis://127.0.0.1:6379/0``), each new row is also announced
on the user's Redis channel, which wakes the streams waiting for it at once; without Redis (or
while it is down) a stream looks at the table four times a second, and polling pages every few.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, datetime, timedelta

from flask import current_app, url_for
from sqlalchemy import Index, UniqueConstraint, delete, func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Field, SQLModel

from crmkit import api
from crmkit_telephony.calls import utc
from crmkit_telephony.events import CallEvent
from crmkit_telephony.models import Call, Extension

log = logging.getLogger(__name__)
RING, ANSWERED, ENDED = "ring", "answered", "ended"
FRESH = timedelta(minutes=2)  # a ringing event older than this (a replay, a late delivery) opens no card
KEEP = timedelta(days=1)
BATCH = 50
SWEEP_CHANCE = 0.02


class Push(SQLModel, table=True):
    """One piece of news for one user's pages: a call rings for them (``ring``), was answered
    (``answered``, ``elsewhere`` when by someone else) or is over (``ended``)."""

    __tablename__ = "telephony_push"
    __table_args__ = (
        UniqueConstraint("user_id", "call_id", "kind", name="uq_telephony_push_user_call_kind"),
        Index("ix_telephony_push_user", "user_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id")
    call_id: int = Field(foreign_key="telephony_call.id", index=True)
    kind: str = Field(max_length=10)
    elsewhere: bool = Field(default=False)
    at: datetime = Field(index=True)


def channel(user_id: int) -> str:
    return f"crmkit:telephony:{user_id}"


def redis_client():
    """The process's Redis client, or None when none is configured."""
    url = current_app.config.get("TELEPHONY_REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("telephony.redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=1)
    return clients[url]


def user_at(provider, extension: str | None) -> int | None:
    """The user whose line ``extension`` is: the admins' table, else what the PBX says."""
    if not extension:
        return None
    mapped = api.session().execute(select(Extension.user_id).where(
        Extension.provider == provider.key, Extension.extension == extension)).scalar_one_or_none()
    if mapped is not None:
        return mapped
    email = provider.user_email_for(extension, current_app.config)
    found = api.find_user(email=email) if email else None
    return found.id if found is not None else None


def rung(call: Call) -> list[int]:
    """The users whose pages were told this call rings for them."""
    return list(api.session().execute(select(Push.user_id).where(Push.call_id == call.id, Push.kind == RING)).scalars())


def announce(provider, event: CallEvent, call: Call) -> None:
    """Tell the pages what one event of an inbound call changes; a repeat tells nothing. Commits."""
    if call.direction != "inbound" or call.id is None:
        return
    now = datetime.now(UTC)
    news: list[tuple[int, str, bool]] = []
    if event.kind == "ringing":
        over = {"ended", "missed"} & set(call.events or []) or call.answered_at is not None
        user = user_at(provider, event.extension)
        if user is not None and not over and now - utc(event.at) < FRESH:
            news.append((user, RING, False))
    elif event.kind == "answered":
        answerer = user_at(provider, event.extension)
        news.extend((user, ANSWERED, user != answerer) for user in rung(call))
    elif event.kind in ("ended", "missed"):
        news.extend((user, ENDED, False) for user in rung(call))
    try:
        told = [user for user, kind, elsewhere in news if add(user, call.id, kind, elsewhere, now)]
        if told and random.random() < SWEEP_CHANCE:
            sweep()
        api.session().commit()
    except SQLAlchemyError:  # the call is kept already: a card not shown never fails the delivery
        api.session().rollback()
        log.exception("telephony: could not record the news of call %s", call.id)
        return
    publish(told)


def add(user_id: int, call_id: int, kind: str, elsewhere: bool, now: datetime) -> bool:
    session = api.session()
    try:
        with session.begin_nested():
            session.add(Push(user_id=user_id, call_id=call_id, kind=kind, elsewhere=elsewhere, at=now))
            session.flush()
    except IntegrityError:  # told already
        return False
    return True


def publish(user_ids: list[int]) -> None:
    """Wake the streams of these users in every process; the table is the truth, this a nudge."""
    client = redis_client() if user_ids else None
    if client is None:
        return
    try:
        for user_id in set(user_ids):
            client.publish(channel(user_id), "new")
    except Exception as error:  # noqa: BLE001 - Redis down: streams fall back to reading the table
        log.warning("telephony: could not publish to Redis: %s", error)


def as_json(push: Push) -> dict:
    return {"id": push.id, "kind": push.kind, "call": push.call_id, "elsewhere": push.elsewhere,
            "card": url_for("telephony_card.card", call_id=push.call_id)}


def since(user_id: int, after: int) -> list[dict]:
    """The user's news after the row ``after``, oldest first."""
    rows = api.session().execute(select(Push).where(Push.user_id == user_id, Push.id > after)
                                 .order_by(Push.id).limit(BATCH)).scalars()
    return [as_json(push) for push in rows]


def start(user_id: int) -> tuple[list[dict], int]:
    """What a page opening now should show (the calls ringing for the user that nobody answered
    and that are not over) and the cursor to follow from."""
    session = api.session()
    cursor = session.execute(select(func.max(Push.id)).where(Push.user_id == user_id)).scalar() or 0
    recent = list(session.execute(select(Push).where(Push.user_id == user_id, Push.at >= datetime.now(UTC) - FRESH)
                                  .order_by(Push.id).limit(BATCH)).scalars())
    settled = {p.call_id for p in recent if p.kind == ENDED or (p.kind == ANSWERED and p.elsewhere)}
    return [as_json(p) for p in recent if p.kind == RING and p.call_id not in settled], cursor


def sweep() -> None:
    """Forget news older than a day (pages only ever ask for the last minutes); through the index
    on ``at``, now and then as news is added."""
    api.session().execute(delete(Push).where(Push.at < datetime.now(UTC) - KEEP))


def told(user_id: int, call_id: int) -> bool:
    """Whether this call rang for this user (their card may be shown to them)."""
    return api.session().execute(select(Push.id).where(
        Push.user_id == user_id, Push.call_id == call_id, Push.kind == RING)).first() is not None
