"""Schema fields that entity declarations need beyond marshmallow's own."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from marshmallow import fields


def user_zone() -> ZoneInfo:
    """The zone of the person typing (their own, else the deployment's default), UTC outside a request."""
    from flask import has_request_context

    if not has_request_context():
        return ZoneInfo("UTC")
    from crmkit.i18n import select_timezone

    return ZoneInfo(select_timezone())


class LocalDateTime(fields.DateTime):
    """A moment, typed in the user's time zone (a form's datetime-local) or with an offset (the API).

    Loads to an aware UTC datetime, the way timestamps are stored; a value without an offset is
    read in the zone of the person who typed it, so 10:00 in Almaty is stored as 05:00 UTC.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=user_zone())
        return moment.astimezone(UTC)


def local_form_value(value: datetime) -> str:
    """A stored moment as a datetime-local input shows it: in the user's zone, to the minute."""
    if value.tzinfo is not None:
        value = value.astimezone(user_zone())
    return value.strftime("%Y-%m-%dT%H:%M")
