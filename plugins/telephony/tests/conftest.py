"""The telephony plugin on top of the core, for every test here (crmkit.testing's fixtures)."""

import pytest


@pytest.fixture
def crmkit_plugins():
    return ["crmkit_telephony.hooks"]
