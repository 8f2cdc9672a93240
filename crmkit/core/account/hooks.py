"""Every user's own account page: name, language, time zone and password."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.account import views


@hookimpl
def register_blueprints():
    return [views.bp]
