"""The vendor-neutral call event every provider's webhook is turned into, and what a provider is.

A provider (``telephony_providers`` hook) is an adapter: it checks that a delivery is genuine,
parses it into ``CallEvent`` values and may map its own extensions to users. The rest of the
plugin never sees a vendor's format.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crmkit import api

messages = api.Messages(__name__)
_ = messages.gettext

KINDS = ("ringing", "answered", "ended", "missed", "recording")
DIRECTIONS = ("inbound", "outbound")


class CallbackRefused(Exception):
    """The PBX did not place a callback (no URL configured, it answered an error, it did not
    answer). ``str(error)`` is a sentence for the user, in their language; ``status`` is the
    provider's HTTP status when there was one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Refused(Exception):
    """A delivery that is not genuine (401) or not readable (400); ``errors`` names each field."""

    def __init__(self, status: int, errors: dict[str, list[str]]):
        super().__init__(status, errors)
        self.status = status
        self.errors = errors


@dataclass(frozen=True)
class CallEvent:
    """One thing that happened to one call, as every provider reports it.

    ``call_id`` is the provider's id of the call, the same on all its events; ``caller`` and
    ``called`` are numbers as the provider sent them; ``extension`` is the internal line that
    rang, answered or dialled; ``duration`` the talk time in seconds (on ended);
    ``recording_url`` comes with a recording event.
    """

    kind: str
    call_id: str
    direction: str
    at: datetime
    caller: str = ""
    called: str = ""
    extension: str | None = None
    duration: int | None = None
    recording_url: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


class Provider(ABC):
    """A cloud PBX's adapter. ``key`` names it in the webhook's address
    (``/telephony/webhook/<key>``); ``label`` is shown to admins."""

    key: str = ""
    label: Any = ""

    @abstractmethod
    def parse(self, headers: Any, body: bytes, config: Any) -> list[CallEvent]:
        """The events of one delivery: raise ``Refused(401, ...)`` for a bad signature and
        ``Refused(400, ...)`` for a body that is not the provider's format."""

    def user_email_for(self, extension: str, config: Any) -> str | None:
        """The email of the user at ``extension`` when the PBX itself knows it; None lets the
        plugin's own table of extensions decide."""
        return None

    def place_callback(self, user_extension: str, their_number: str, config: Any, *,
                       request_id: str = "", our_number: str | None = None) -> str | None:
        """Ask the PBX to ring the agent at ``user_extension`` and, once the agent picks up, dial
        ``their_number`` (E.164, as crmkit stores phones): click-to-call.

        ``config`` is the app's config (secrets and URLs live there); ``request_id`` is our unique
        id of this request (send it if the PBX can echo it back, and use it against duplicates);
        ``our_number`` is the number to show the client when the PBX lets the caller choose.
        Return the provider's id of the call when its answer gives one (the call's later events
        then merge into the same call), else None. Raise ``CallbackRefused`` with a sentence for
        the user when the PBX refuses or cannot be reached; never let a network error escape.
        A provider that cannot place calls keeps this default, which refuses."""
        raise CallbackRefused(_("%(provider)s cannot place calls.", provider=self.label or self.key))
