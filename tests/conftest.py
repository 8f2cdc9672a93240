"""crmkit's own tests run on crmkit.testing, the fixtures every plugin's tests get (docs/testing.md):
``make_app(plugins=[...])``, ``app``, ``client``, ``runner``, ``make_user``, ``client_for``,
``admin_client``, ``api_client``, ``frozen_clock``... so those fixtures never rot.

Tests run on SQLite in a temporary folder, or on PostgreSQL when CRMKIT_TEST_DATABASE_URL is set
(each test then gets a schema of its own, dropped afterwards). Alembic migrates once per session
and worker for each set of plugins; later tests get a copy (crmkit.testing.migrated).
"""

from __future__ import annotations

import pytest

# Helpers tests import from here; they live in crmkit.testing.
from crmkit.testing import (  # noqa: F401
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    TEST_SECRET,
    add_user,
    csrf_token,
    login,
    own_database,
    token_client,
)

PLUGIN = "crmkit.testing.plugin"


def pytest_configure(config):
    """pytest loads crmkit.testing from crmkit's ``pytest11`` entry point; an install made before
    that entry point existed lacks it, so it is loaded here (``pip install -e .`` adds it)."""
    config.pluginmanager.import_plugin(PLUGIN)  # nothing when loaded or blocked (-p no:crmkit.testing.plugin)


@pytest.fixture(autouse=True)
def plain_shell(shell_language):
    """Every test, not only those with an app, starts from a shell that names no language."""
