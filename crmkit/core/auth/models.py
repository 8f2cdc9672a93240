"""Users and their passwords (argon2)."""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Field, SQLModel

from crmkit.db import utcnow

hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 10


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


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
    # Part of the login cookie; changing it logs the user out everywhere.
    session_token: str = Field(default_factory=new_session_token, max_length=64)
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

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def set_password(self, password: str) -> None:
        self.password_hash = hasher.hash(password)
        self.session_token = new_session_token()

    def check_password(self, password: str) -> bool:
        try:
            hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        if hasher.check_needs_rehash(self.password_hash):
            self.password_hash = hasher.hash(password)
        return True


def normalise_email(email: str) -> str:
    return email.strip().lower()
