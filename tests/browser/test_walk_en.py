"""The done-when walk in English: every page of the demo agency as an admin, a department's manager
and one of its agents, at 1366 and 390 px (tests/browser/walking.py says how, and what fails)."""

from __future__ import annotations

import pytest

from tests.browser.walking import walk, walk_pages  # noqa: F401 - walk is this module's fixture

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["admin", "manager", "agent"])
def test_every_page_shows_names_in_english_and_fits_a_phone(walk, chromium, role):  # noqa: F811
    walk_pages(walk, chromium, role, "en")
