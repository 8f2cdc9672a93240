"""Two-factor login with TOTP (RFC 6238, pyotp) and one-time recovery codes.

Enrolment stores a new secret on the user, unconfirmed; the first right code switches 2FA on and
hands out ``RECOVERY_CODES`` recovery codes, shown once and stored as SHA-256 hashes. A code is
accepted for the current 30-second step or one step either side, and never for a step at or
before the last accepted one, so an overheard code cannot be replayed. The QR code is an inline
SVG made on the server (segno): no JavaScript, nothing fetched from elsewhere.
"""

from __future__ import annotations

import hmac
import secrets
import time

import pyotp
import segno
from flask import current_app
from sqlalchemy import delete, select, update
from sqlmodel import Session

from crmkit.core.auth.models import RecoveryCode, User
from crmkit.core.auth.tokens import hash_token
from crmkit.db import utcnow

ISSUER = "crmkit"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def required_for(user: User) -> bool:
    """Whether the deployment makes this user enrol before anything else (CRMKIT_REQUIRE_2FA_FOR_ADMINS=1)."""
    return user.is_admin and not user.has_two_factor and _switched_on(current_app.config.get("REQUIRE_2FA_FOR_ADMINS"))


def _switched_on(value) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def start_enrolment(session: Session, user: User) -> str:
    """A fresh secret for ``user`` (2FA stays off until a code confirms it)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    session.commit()
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    return pyotp.TOTP(user.totp_secret or "").provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(user: User) -> str:
    """The enrolment QR code as an inline <svg> element."""
    return segno.make(provisioning_uri(user), error="m").svg_inline(scale=5, dark="#111", light="#fff")


def _digits(code: str) -> str:
    return "".join(code.split())


def check_totp(session: Session, user: User, code: str) -> bool:
    """Accept a current TOTP code once; records its time step. The caller commits."""
    code = _digits(code)
    if not user.totp_secret or len(code) != 6 or not code.isdigit():
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now_step = int(time.time()) // totp.interval
    for step in (now_step - 1, now_step, now_step + 1):
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            session.add(user)
            return True
    return False


def confirm_enrolment(session: Session, user: User, code: str) -> list[str] | None:
    """Switch 2FA on when ``code`` is right; the new recovery codes, or None."""
    if user.has_two_factor or not check_totp(session, user, code):
        return None
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(session, user)
    session.commit()
    return codes


def _hash(code: str) -> str:
    return hash_token(_normalise_recovery(code))


def _normalise_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _new_recovery_codes(session: Session, user: User) -> list[str]:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash(raw)))
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    """Spend one unused recovery code; False when it is not one. The caller commits."""
    if len(_normalise_recovery(code)) != 10:
        return False
    result = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    return result.rowcount == 1


def verify(session: Session, user: User, code: str) -> str | None:
    """Check a login code, TOTP or recovery: "totp", "recovery", or None. The caller commits."""
    if not user.has_two_factor:
        return None
    if check_totp(session, user, code):
        return "totp"
    if use_recovery_code(session, user, code):
        return "recovery"
    return None


def unused_recovery_codes(session: Session, user: User) -> int:
    statement = select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return len(session.execute(statement).all())


def switch_off(session: Session, user: User) -> None:
    """Remove the secret and the recovery codes (the user's own "disable", or an admin's reset).
    The caller commits."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.add(user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
