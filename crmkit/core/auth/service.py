"""Creating users and changing passwords, shared by the CLI, `crmkit init` and the pages."""

from __future__ import annotations

from sqlmodel import Session, select

from crmkit import audit
from crmkit.core.auth.models import MIN_PASSWORD_LENGTH, User, normalise_email
from crmkit.i18n import gettext as _


class UserError(ValueError):
    """Bad input for a user; the message is meant for the person who typed it."""


def password_problem(password: str) -> str | None:
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("The password must be at least %(n)d characters long.", n=MIN_PASSWORD_LENGTH)
    return None


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
    if problem := password_problem(password):
        raise UserError(problem)
    user = User(email=email, name=name, role="admin" if is_admin else role, password_hash="", **fields)
    user.set_password(password)
    db.add(user)
    db.flush()
    audit.record("user_created", target=user.email, role=user.role, commit=False, session=db)
    db.commit()
    return user


def change_password(db: Session, user: User, password: str) -> None:
    """Set a new password; every existing session of the user ends."""
    if problem := password_problem(password):
        raise UserError(problem)
    user.set_password(password)
    db.add(user)
    audit.record("password_changed", target=user.email, commit=False, session=db)
    db.commit()
