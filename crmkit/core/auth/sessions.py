"""Server-side login sessions: one core_user_session row per signed-in browser.

The login cookie (Flask-Login's, inside Flask's signed session) holds "<user id>:<token>"; the row
holds the token's SHA-256. Loading the user is one indexed query on that hash. Ending the row
(logout, "end this session", "end all other sessions", a new password, deactivation) ends the
session even for a copied cookie. ``last_seen_at`` is written at most once a minute per session;
a session not seen for ``SESSION_IDLE_DAYS`` (default 14) counts as ended.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app, g, request
from flask_login import login_user, logout_user
from sqlalchemy import bindparam, select, update
from sqlmodel import Session

from crmkit import db
from crmkit.core.auth.models import User, UserSession
from crmkit.core.auth.tokens import hash_token
from crmkit.db import utcnow

TOUCH_EVERY = timedelta(minutes=1)
DEFAULT_IDLE_DAYS = 14
PAGE_SIZE = 50


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def idle_limit() -> timedelta:
    return timedelta(days=float(current_app.config.get("SESSION_IDLE_DAYS", DEFAULT_IDLE_DAYS)))


def current() -> UserSession | None:
    """This request's session row, when a browser session (not an API token) logged it in."""
    return g.get("crmkit_user_session")


def start(user: User) -> None:
    """Log ``user`` in on this browser: a new session row, its token in the cookie."""
    token = secrets.token_urlsafe(32)
    row = UserSession(
        user_id=user.id, token_hash=hash_token(token), ip=(request.remote_addr or "")[:45],
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
    session = db.session()
    session.add(row)
    session.commit()
    g.crmkit_session_token, g.crmkit_user_session = token, row
    login_user(user)


# Built once: building the statement cost more than running it (about 0.2 ms a request).
LIVE_SESSION = (
    select(User, UserSession)
    .join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.ended_at.is_(None))
)


def load(user_id: str) -> User | None:
    """Flask-Login's user loader: the user whose live session row the cookie's token names."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    session = db.session()
    found = session.execute(LIVE_SESSION, {"token_hash": hash_token(token)}).first()
    if found is None:
        return None
    user, row = found
    now = utcnow()
    if user.id != int(ident) or not user.is_active or now - _aware(row.last_seen_at) > idle_limit():
        return None
    if now - _aware(row.last_seen_at) > TOUCH_EVERY:
        session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
        session.commit()
    g.crmkit_session_token, g.crmkit_user_session = token, row
    return user


def end_current() -> None:
    """Log this browser out and end its row, so a copy of the cookie is worthless too."""
    row = current()
    if row is not None:
        end(db.session(), row.user_id, row.id)
    logout_user()


def end(session: Session, user_id: int, session_id: int) -> bool:
    """End one of ``user_id``'s sessions; False when they have no such live session."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.id == session_id, UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    session.commit()
    return result.rowcount > 0


def end_all(session: Session, user_id: int, keep_id: int | None = None) -> int:
    """End every live session of the user but ``keep_id``; how many ended. The caller commits."""
    statement = update(UserSession).where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
    if keep_id is not None:
        statement = statement.where(UserSession.id != keep_id)
    return session.execute(statement.values(ended_at=utcnow())).rowcount


def live_sessions(session: Session, user_id: int) -> list[UserSession]:
    """The user's sessions still in use, most recently seen first (the newest ``PAGE_SIZE``)."""
    statement = (
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .where(UserSession.last_seen_at > utcnow() - idle_limit())
        .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        .limit(PAGE_SIZE)
    )
    return list(session.execute(statement).scalars())
