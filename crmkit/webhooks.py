"""Signing outgoing webhooks, and verifying them in a receiver written in Python.

crmkit sends each delivery as a POST of JSON with three headers:

- ``X-Crmkit-Id``: the event's id (a UUID), the same on every retry of that delivery;
- ``X-Crmkit-Timestamp``: when this attempt was sent, in whole seconds since the epoch (UTC);
- ``X-Crmkit-Signature``: ``sha256=`` and the hex HMAC-SHA256, keyed with the webhook's secret,
  of ``f"{id}.{timestamp}.{body}"``, where body is the raw request body.

A receiver checks the signature over the raw body (before parsing it), refuses a timestamp more
than a few minutes away from its clock (a replayed old request), and refuses an id it has already
processed (a replay within that window, or a retry of a delivery it already handled)::

    from crmkit.webhooks import ReplayGuard, SignatureError, verify

    guard = ReplayGuard()  # or your own function that records ids in a database

    def receive(request):
        try:
            event_id = verify(SECRET, request.headers, request.get_data(), seen=guard)
        except SignatureError as error:
            return str(error), 400
        try:
            handle(request.get_json())
        except Exception:
            guard.forget(event_id)  # so crmkit's retry is accepted
            raise
        return "", 204
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Mapping

ID_HEADER = "X-Crmkit-Id"
TIMESTAMP_HEADER = "X-Crmkit-Timestamp"
SIGNATURE_HEADER = "X-Crmkit-Signature"
DEFAULT_TOLERANCE = 300  # seconds a timestamp may differ from the receiver's clock


class SignatureError(ValueError):
    """The request is not a valid, fresh, first delivery from crmkit; the message says why."""


def signature(secret: str, event_id: str, timestamp: int | str, body: bytes) -> str:
    """The value of ``X-Crmkit-Signature`` for this id, timestamp and raw body."""
    message = f"{event_id}.{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, event_id: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The headers crmkit sends with ``body``; the timestamp defaults to now."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/json",
        ID_HEADER: event_id,
        TIMESTAMP_HEADER: stamp,
        SIGNATURE_HEADER: signature(secret, event_id, stamp, body),
    }


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if not value:
        raise SignatureError(f"the {name} header is missing")
    return value


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    seen: Callable[[str], bool] | None = None,
    now: float | None = None,
) -> str:
    """Check a delivery and return its event id, or raise ``SignatureError``.

    :param secret: the webhook's secret, as shown when it was created.
    :param headers: the request's headers (any mapping; names are matched as sent or lower-case).
    :param body: the raw request body, exactly as received.
    :param tolerance: how many seconds the timestamp may be from ``now``.
    :param seen: called with the id once the signature holds; answers True when the id was
        already processed, which refuses the request. ``ReplayGuard()`` keeps ids in memory.
    :param now: the current time in seconds since the epoch; default: the clock.
    """
    event_id = _header(headers, ID_HEADER)
    stamp = _header(headers, TIMESTAMP_HEADER)
    given = _header(headers, SIGNATURE_HEADER)
    if not hmac.compare_digest(given.encode(), signature(secret, event_id, stamp, body).encode()):
        raise SignatureError("the signature does not match")
    try:
        sent = int(stamp)
    except ValueError:
        raise SignatureError("the timestamp is not a whole number of seconds") from None
    if abs((time.time() if now is None else now) - sent) > tolerance:
        raise SignatureError("the timestamp is too old or in the future")
    if seen is not None and seen(event_id):
        raise SignatureError(f"event {event_id} was already received")
    return event_id


class ReplayGuard:
    """Remembers ids for ``ttl`` seconds; ``guard(id)`` answers whether it was seen, and records it.

    For one receiver process. Several processes should record ids in their shared database, with
    a unique constraint, and forget them after the timestamp tolerance has passed.
    """

    def __init__(self, ttl: int = 2 * DEFAULT_TOLERANCE):
        self.ttl = ttl
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, event_id: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._seen = {k: t for k, t in self._seen.items() if now - t < self.ttl}
            if event_id in self._seen:
                return True
            self._seen[event_id] = now
            return False

    def forget(self, event_id: str) -> None:
        """Accept the id again, when handling it failed and crmkit will retry."""
        with self._lock:
            self._seen.pop(event_id, None)
