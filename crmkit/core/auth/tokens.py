"""Secrets kept only as their SHA-256: login sessions, API tokens, calendar feeds, recovery codes.

Each is random, never chosen by a person, so an unsalted SHA-256 serves: the row is found by a
unique index on the hash, and the database never holds the secret itself.
"""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    # surrogatepass: a token read from a hostile header or URL may hold lone surrogates.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
