"""How a sender signs a delivery and how crmkit checks it.

The sender computes ``HMAC-SHA256(secret, timestamp + "." + body)`` over the exact bytes it
sends and puts it in ``X-Crmkit-Signature: sha256=<hex>``, with the Unix time it signed at in
``X-Crmkit-Timestamp``. A delivery signed more than five minutes away from crmkit's clock is
refused, so a captured request can't be replayed later; the comparison takes constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Crmkit-Signature"
TIMESTAMP_HEADER = "X-Crmkit-Timestamp"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The header value a sender puts in ``X-Crmkit-Signature`` (``sha256=<hex>``)."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def problem(secret: str, timestamp: str | None, given: str | None, body: bytes, now: float | None = None) -> str | None:
    """Why a delivery is refused (``timestamp``, ``signature``), or None when it is genuine."""
    if not timestamp or not timestamp.strip().isdigit():
        return "timestamp"
    moment = int(timestamp.strip())
    if abs((time.time() if now is None else now) - moment) > TOLERANCE_SECONDS:
        return "timestamp"
    if not given or not hmac.compare_digest(given.strip().encode(), signature(secret, timestamp.strip(), body).encode()):
        return "signature"
    return None
