"""Making, checking and revoking API tokens, and logging a request in by its bearer token."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import g
from sqlalchemy import select
from sqlmodel import Session

from crmkit import db
from crmkit.core.api.models import ApiToken
from crmkit.core.auth.models import User
from crmkit.core.auth.tokens import hash_token
from crmkit.db import utcnow

TOKEN_PREFIX = "crmkit_"
PREFIX_LENGTH = len(TOKEN_PREFIX) + 6
# last_used_at is written at most this often per token, so reads do not all turn into writes.
TOUCH_EVERY = timedelta(minutes=1)


def create_token(session: Session, user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the token, which is never seen again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, name=name.strip()[:100], token_hash=hash_token(token), prefix=token[:PREFIX_LENGTH])
    session.add(row)
    session.commit()
    return row, token


def tokens_of(session: Session, user: User) -> list[ApiToken]:
    statement = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
    return list(session.execute(statement).scalars())


def revoke(session: Session, user: User, token_id: int) -> bool:
    """Revoke one of ``user``'s own tokens; False when they have no such token."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        return False
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        session.commit()
    return True


def user_for_token(session: Session, token: str) -> tuple[User, ApiToken] | None:
    """The active user a live token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    now = utcnow()
    if row.last_used_at is None or now - _aware(row.last_used_at) > TOUCH_EVERY:
        row.last_used_at = now
        session.add(row)
        session.commit()
    return user, row


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def bearer_token(request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def load_user_from_request(request) -> User | None:
    """Flask-Login's request loader: ``Authorization: Bearer <token>`` logs the request in.

    Requests logged in this way carry no cookie a browser would send on its own, so they need
    no CSRF token; ``g.crmkit_api_token`` marks them. Tokens open the API only, never pages.
    """
    token = bearer_token(request)
    if token is None or not request.path.startswith("/api/"):
        return None
    found = user_for_token(db.session(), token)
    if found is None:
        return None
    g.crmkit_api_token = found[1]
    return found[0]
