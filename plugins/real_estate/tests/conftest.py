"""The real_estate plugin on top of the core, for every test here (crmkit.testing's fixtures)."""

import pytest


@pytest.fixture
def crmkit_plugins():
    return ["crmkit_real_estate.hooks"]
