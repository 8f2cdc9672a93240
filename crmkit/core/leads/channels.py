"""The channels leads arrive through, as plugins declare them on ``intake_sources``."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_app_context

from crmkit.i18n import lazy_gettext as _l
from crmkit.types import IntakeSource

MANUAL = IntakeSource("manual", _l("Entered by hand"), _l("A lead someone typed in from a call or a visit."))


def declared() -> dict[str, IntakeSource]:
    """Every channel by key, the core's manual entry first, then the plugins' in load order; asked
    of the plugins once per request (a list shows a channel on every row)."""
    found = g.get("leads_channels") if has_app_context() else None
    if found is None:
        found = {MANUAL.key: MANUAL}
        for returned in current_app.extensions["crmkit"].pm.hook.intake_sources():
            for source in returned or ():
                found.setdefault(source.key, source)
        if has_app_context():
            g.leads_channels = found
    return found


def channel_label(key: Any) -> str:
    """A channel's label; a key no active plugin declares is shown as it is."""
    source = declared().get(key)
    return str(source.label) if source is not None else str(key)


class Labels:
    """A mapping-like view of channel labels for a form's select (``choices_labels``)."""

    def get(self, key: Any, default: Any = None) -> Any:
        return channel_label(key)


def settings_tabs() -> list[IntakeSource]:
    """The channels that have a settings page, for the tabs of the intake setup."""
    return [source for source in declared().values() if source.settings_endpoint]
