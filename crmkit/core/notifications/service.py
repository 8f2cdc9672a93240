"""Storing, counting, listing and marking notifications; ``notify`` is the public entry point.

A notification is rendered once, in its recipient's language, when it is made: the page and the
bell then show stored text, and a later change of language or catalog rewrites nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from flask import current_app, url_for
from flask_babel import force_locale
from sqlalchemy import func, select, update

from crmkit import db as database
from crmkit import jobs
from crmkit.core.auth.models import User
from crmkit.core.notifications.kinds import NotificationKind, known
from crmkit.core.notifications.models import Notification, NotificationPreference
from crmkit.db import utcnow
from crmkit.redirects import local_url

EMAIL_JOB = "core.notifications.email"
TITLE_LENGTH = 500
LATEST = 6  # what the bell's dropdown shows
PER_PAGE = 25

Text = Any  # a str, a lazy gettext string, a callable returning one, or a (format, params) pair


def language_of(user: Any) -> str:
    """The user's profile language when the deployment offers it, else the instance default."""
    languages = current_app.config["LANGUAGES"]
    locale = getattr(user, "locale", None)
    return locale if locale in languages else current_app.config["DEFAULT_LOCALE"]


def rendered(text: Text, locale: str) -> str | None:
    """``text`` as it reads in ``locale``: lazy strings and callables are evaluated there."""
    if text is None:
        return None
    with force_locale(locale):
        if isinstance(text, tuple):
            template, params = text
            return str(template) % params
        if callable(text) and not isinstance(text, str):
            return str(text())
        return str(text)


def user_of(user_or_id: Any) -> User:
    if isinstance(user_or_id, User):
        return user_or_id
    found = database.session().get(User, int(getattr(user_or_id, "id", user_or_id)))
    if found is None:
        raise LookupError(f"no user with id {user_or_id!r}")
    return found


def record_key(record: Any) -> tuple[str | None, int | None]:
    """What a notification is about, as stored: ``record`` is ``(entity key or EntityType, id or
    record)`` or a record itself (its entity found by its model); the entity must be known."""
    if record is None:
        return None, None
    entities = current_app.extensions["crmkit"].entities
    if isinstance(record, tuple):
        entity, target = record
        key = getattr(entity, "key", entity)
    else:
        target = record
        key = next((e.key for e in entities if isinstance(record, e.model)), None)
    if key not in entities:
        raise LookupError(f"notify: no entity {key!r} for {record!r}")
    return key, int(getattr(target, "id", target))


def notify(user_or_id: Any, title: Text, *, body: Text = None, url: str | None = None, kind: str = "general",
           record: Any = None) -> Notification:
    """Store a notification for one user, in their language, in the current session (the caller
    commits); an email copy follows the commit when the user wants this kind by email."""
    kinds = known()
    if kind not in kinds:
        raise ValueError(f"unknown notification kind {kind!r}; declared: {', '.join(sorted(kinds))}")
    if url is not None and local_url(url, "") != url:
        raise ValueError(f"notify: url must be a path on this site, not {url!r}")
    user = user_of(user_or_id)
    locale = language_of(user)
    entity_key, record_id = record_key(record)
    notification = Notification(
        user_id=user.id, kind=kind, title=(rendered(title, locale) or "")[:TITLE_LENGTH], body=rendered(body, locale),
        url=url, record_entity=entity_key, record_id=record_id,
    )
    session = database.session()
    session.add(notification)
    session.flush()
    if user.is_active and wants_email(user.id, kinds[kind]):
        jobs.enqueue_after_commit(session, EMAIL_JOB, notification.id, user=None)
    return notification


# Reading

UNREAD_CAP = 100  # unread counts stop here: 100 reads as "more than 99"


def unread_count(user_id: int) -> int:
    """The bell's number, counted over the (user_id, read_at) index up to ``UNREAD_CAP``: the bell
    shows "99+" past 99, and counting every unread row of a busy inbox (20,000 at a million
    notifications) would make every page slower as the table grows."""
    unread = select(Notification.id).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    statement = select(func.count()).select_from(unread.limit(UNREAD_CAP).subquery())
    return database.session().execute(statement).scalar_one()


def latest(user_id: int, limit: int = LATEST) -> list[Notification]:
    statement = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id.desc()).limit(limit)
    return list(database.session().execute(statement).scalars())


class Page(NamedTuple):
    items: list[Notification]
    older: int | None  # the ``before`` of the next page, None on the last


def page_of(user_id: int, before: int | None = None, unread_only: bool = False, per_page: int = PER_PAGE) -> Page:
    """One page of the user's notifications, newest first, paged by keyset on (user_id, id)."""
    statement = select(Notification).where(Notification.user_id == user_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    if before is not None:
        statement = statement.where(Notification.id < before)
    items = list(database.session().execute(statement.order_by(Notification.id.desc()).limit(per_page + 1)).scalars())
    return Page(items[:per_page], items[per_page - 1].id if len(items) > per_page else None)


def link_of(notification: Notification) -> str | None:
    """Where the notification leads: its url, else the page of the record it is about."""
    if notification.url:
        return notification.url
    entities = current_app.extensions["crmkit"].entities
    if notification.record_entity and notification.record_entity in entities:
        entity = entities.get(notification.record_entity)
        return url_for(f"records.{entity.endpoint_prefix}_detail", record_id=notification.record_id)
    return None


# Marking


TABLE = Notification.__table__


def mark_read(user_id: int, notification_id: int) -> Notification | None:
    """Mark one of the user's own notifications read (again is harmless); None when not theirs."""
    session = database.session()
    found = session.get(Notification, notification_id)
    if found is None or found.user_id != user_id:
        return None
    if found.read_at is None:
        found.read_at = utcnow()
        session.commit()
    return found


def mark_all_read(user_id: int) -> int:
    session = database.session()
    statement = update(TABLE).where(TABLE.c.user_id == user_id, TABLE.c.read_at.is_(None)).values(read_at=utcnow())
    count = session.execute(statement).rowcount
    session.commit()
    return count


# Choices


def preference(user_id: int) -> NotificationPreference | None:
    return database.session().get(NotificationPreference, user_id)


def wants_email(user_id: int, kind: NotificationKind, found: Callable[[int], Any] = preference) -> bool:
    chosen = found(user_id)
    return bool((chosen.email_kinds if chosen else {}).get(kind.key, kind.email_default))


def save_preferences(user_id: int, email_kinds: dict[str, bool], digest: bool) -> NotificationPreference:
    """Store the user's choices for every declared kind, and the digest; commits."""
    session = database.session()
    chosen = session.get(NotificationPreference, user_id) or NotificationPreference(user_id=user_id)
    chosen.email_kinds = {key: bool(value) for key, value in email_kinds.items() if key in known()}
    chosen.digest = digest
    chosen.updated_at = utcnow()
    session.add(chosen)
    session.commit()
    return chosen
