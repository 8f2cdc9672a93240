"""Creating users and changing passwords, shared by the CLI, `crmkit init` and the pages."""

from __future__ import annotations

from sqlmodel import Session, select

from crmkit import audit
from crmkit.core.auth import sessions
from crmkit.core.auth.models import User, normalise_email
from crmkit.core.auth.policy import password_problem
from crmkit.i18n import gettext as _


class UserError(ValueError):
    """Bad input for a user; the message is meant for the person who typed it."""


def find_user(db: Session, email: str) -> User | None:
    return db.exec(select(User).where(User.email == normalise_email(email))).first()


def create_user(
    db: Session, email: str, password: str, name: str = "", is_admin: bool = False, role: str = "agent", **fields
) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise UserError(_("Enter a valid email address."))
    if find_user(db, email):
        raise UserError(_("A user with this email already exists."))
    if problem := password_problem(password, email, name):
        raise UserError(problem)
    user = User(email=email, name=name, role="admin" if is_admin else role, password_hash="", **fields)
    user.set_password(password)
    db.add(user)
    db.flush()
    audit.record("user_created", target=user.email, role=user.role, commit=False, session=db)
    db.commit()
    return user


def change_password(db: Session, user: User, password: str, keep_session_id: int | None = None) -> None:
    """Set a new password; every session of the user ends but ``keep_session_id`` (the browser that changed it)."""
    if problem := password_problem(password, user.email, user.name):
        raise UserError(problem)
    user.set_password(password)
    db.add(user)
    sessions.end_all(db, user.id, keep_id=keep_session_id)
    audit.record("password_changed", target=user.email, commit=False, session=db)
    db.commit()
