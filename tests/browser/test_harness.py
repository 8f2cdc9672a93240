"""The harness itself: without chromium, browser tests skip with a reason, or fail under CI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/browser/test_login.py::test_empty_form_names_each_missing_field"


def run_without_chromium(tmp_path, ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "CRMKIT_TEST_DATABASE_URL")}
    env["CRMKIT_TEST_CHROMIUM"] = str(tmp_path / "no-chromium-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rsE", TARGET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_missing_chromium_skips_with_the_reason(tmp_path):
    result = run_without_chromium(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "chromium not found at" in result.stdout and "apt-get install chromium" in result.stdout


def test_missing_chromium_fails_under_ci(tmp_path):
    result = run_without_chromium(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error in" in result.stdout and "1 skipped" not in result.stdout
    assert "CI is set, so browser tests may not be skipped: chromium not found at" in result.stdout
