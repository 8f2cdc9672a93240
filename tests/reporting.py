"""Figures a test shows in every run, also under ``pytest -q`` (which captures print): the issue
trackers ask for them from CI's log (the bad-input corpus' inputs, schemathesis' cases)."""

from __future__ import annotations

import pytest


def show(request: pytest.FixtureRequest, line: str) -> None:
    """Write ``line`` to the terminal past output capturing; a no-op where there is no terminal."""
    plugins = request.config.pluginmanager
    reporter, capture = plugins.get_plugin("terminalreporter"), plugins.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(line)
