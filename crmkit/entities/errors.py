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

    def messages(self) -> dict[str, list[str]]:
        """Each field's messages under the name a form posts it by: a plugin field's, nested in
        ``fields`` under its extension (``{"inventory": {"items": [...]}}``), as ``inventory.items``."""
        found: dict[str, list[str]] = {}
        for key, value in self.fields.items():
            if isinstance(value, dict):
                found.update({f"{key}.{name}": [str(m) for m in messages] for name, messages in value.items()})
            else:
                found[key] = [str(m) for m in value] if isinstance(value, list | tuple) else [str(value)]
        return found


class Conflict(RecordError):
    """A stale edit: someone saved a newer version. Both are kept; nothing is overwritten."""

    status = 409

    def __init__(self, current: Any, attempted: dict[str, Any]):
        super().__init__(current.version)
        self.current = current
        self.attempted = attempted
