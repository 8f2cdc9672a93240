"""Test fixtures for crmkit and its plugins, installed with crmkit (docs/testing.md).

The fixtures (``app``, ``make_app``, ``make_user``, ``client_for``, ``api_client``,
``frozen_clock``...) come from the pytest plugin ``crmkit.testing.plugin``, which pytest loads by
itself wherever crmkit is installed. The helpers below are for code outside fixtures.
"""

from crmkit.testing.accounts import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    PASSWORD,
    TEST_SECRET,
    add_user,
    csrf_token,
    login,
    token_client,
)
from crmkit.testing.clock import FROZEN_AT, FrozenClock
from crmkit.testing.databases import own_database

__all__ = [
    "ADMIN_EMAIL",
    "ADMIN_PASSWORD",
    "FROZEN_AT",
    "PASSWORD",
    "TEST_SECRET",
    "FrozenClock",
    "add_user",
    "csrf_token",
    "login",
    "own_database",
    "token_client",
]
