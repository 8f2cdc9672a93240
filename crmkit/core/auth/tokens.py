"""Secret tokens kept only as their SHA-256: login sessions, API tokens, calendar feeds.

A token is long and random, so a plain (unsalted) SHA-256 is enough and lets the row be found by a
unique index on the hash; a database leak gives away no working token.
"""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    # surrogatepass: a token read from a hostile header or URL may hold lone surrogates.
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
