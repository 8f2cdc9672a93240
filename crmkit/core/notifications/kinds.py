"""Kinds of notification: what plugins declare through ``notification_kinds`` so that each user
can choose, per kind, whether it also comes by email."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app


@dataclass(frozen=True)
class NotificationKind:
    """A kind of notification, declared through the ``notification_kinds`` hook.

    :param key: what ``notify(kind=...)`` names, prefixed by the plugin (``"automation.rule"``);
        ``"general"`` is the core's.
    :param label: what the settings page shows, a lazy gettext string.
    :param email_default: whether it also goes by email for users who have not chosen.
    """

    key: str
    label: Any
    email_default: bool = False


def known(app: Any = None) -> dict[str, NotificationKind]:
    """Every declared kind by key, in declaration order; read once per app."""
    app = app or current_app
    cache = app.extensions.setdefault("crmkit.notification_kinds", {})
    if "kinds" not in cache:
        pm = app.extensions["crmkit"].pm
        found: dict[str, NotificationKind] = {}
        for declared in reversed(pm.hook.notification_kinds()):  # pluggy calls the last registered first
            for kind in declared or []:
                if not isinstance(kind, NotificationKind):
                    raise TypeError(f"notification_kinds returned {kind!r}, not a NotificationKind")
                found.setdefault(kind.key, kind)
        cache["kinds"] = found
    return cache["kinds"]
