"""Users, their passwords (argon2), their sessions and their second factor (TOTP)."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

hasher = PasswordHasher()


@cache
def _throwaway_hash() -> str:
    return hasher.hash(secrets.token_urlsafe(16))


def check_no_password(password: str) -> bool:
    """Spend the time a real check takes and fail, so a missing account is not told by timing."""
    try:
        hasher.verify(_throwaway_hash(), password)
    except (VerificationError, InvalidHashError):
        pass
    return False


class User(SQLModel, table=True):
    __tablename__ = "core_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=200)
    is_active: bool = Field(default=True)
    role: str = Field(default="agent", foreign_key="core_role.name", max_length=50)
    department_id: int | None = Field(default=None, foreign_key="core_department.id", index=True)
    manager_id: int | None = Field(default=None, foreign_key="core_user.id", index=True)
    locale: str | None = Field(default=None, max_length=10)
    timezone: str | None = Field(default=None, max_length=64)
    # Two-factor login (crmkit.core.auth.two_factor): the base32 secret, set when enrolment starts;
    # on once confirmed; the last time step a code was accepted for, so no code works twice.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = None
    totp_last_step: int | None = None
    # Set for a password someone else chose (the first admin's one-time password, an admin's
    # temporary one): the next browser login must choose a new one (crmkit.core.auth.first_login).
    must_change_password: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    # Flask-Login's user protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    @property
    def has_two_factor(self) -> bool:
        return self.totp_enabled_at is not None

    def get_id(self) -> str:
        """What the login cookie holds: the id and this browser's session token (crmkit.core.auth.sessions)."""
        return f"{self.id}:{g.get('crmkit_session_token', '')}"

    def set_password(self, password: str) -> None:
        self.password_hash = hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(self.password_hash):
            self.password_hash = hasher.hash(password)
        return True


class UserSession(SQLModel, table=True):
    """One signed-in browser. The cookie carries a random token; only its SHA-256 is stored, so a
    copy of the table logs no one in. Ending the row (logout, "end this session", a new password)
    ends the session wherever the cookie was copied to."""

    __tablename__ = "core_user_session"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
    ip: str = Field(default="", max_length=45)
    user_agent: str = Field(default="", max_length=300)
    ended_at: datetime | None = None


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for a TOTP code when the phone is lost (SHA-256 of 50 random bits)."""

    __tablename__ = "core_recovery_code"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="core_user.id", index=True)
    code_hash: str = Field(max_length=64)
    used_at: datetime | None = None


def normalise_email(email: str) -> str:
    return email.strip().lower()
