"""Mailbox passwords encrypted at rest, with a key derived from the deployment's SECRET_KEY.

A database dump or backup alone does not give the passwords away. The key never leaves the
process; changing SECRET_KEY makes the stored passwords unreadable, and the mailbox page then asks
for the password again instead of failing obscurely.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

INFO = b"crmkit.intake_mail.password"


class Unreadable(ValueError):
    """The stored password was sealed with another SECRET_KEY (or was altered)."""


def _fernet() -> Fernet:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(password: str) -> str:
    return _fernet().encrypt(password.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _fernet().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError) as error:
        raise Unreadable(sealed[:8]) from error
