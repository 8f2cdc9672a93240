"""What can go wrong with a record, each with the HTTP status pages and the API answer with."""

from __future__ import annotations

from typing import Any


class RecordError(Exception):
    """Anything the records service refuses; ``status`` is the HTTP status pages and the API answer with."""

    status = 400


class NotFound(RecordError):
    """Missing, or not visible to this user: the two look the same so nothing leaks."""

    status = 404


class Forbidden(RecordError):
    """The user lacks the permission the action needs; the message names it."""

    status = 403


class Invalid(RecordError):
    """Bad input; ``fields`` maps each field to its messages in the user's language."""

    status = 422

    def __init__(self, fields: dict[str, Any]):
        super().__init__(fields)
        self.fields = fields


class Conflict(RecordError):
    """A stale edit: someone saved a newer version. Both are kept; nothing is overwritten."""

    status = 409

    def __init__(self, current: Any, attempted: dict[str, Any]):
        super().__init__(current.version)
        self.current = current
        self.attempted = attempted
