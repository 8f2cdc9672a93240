"""The benchmark suite (``python -m benchmarks``), run whole at 1,000 contacts on the test
engine so that it never rots: every registered measurement reports, with sane figures.

Nothing here is timed or held to a target; the suite's own figures are only checked to exist.
"""

from __future__ import annotations

import json
import os

import pytest

from benchmarks import core
from benchmarks.__main__ import main

SIGNED = {"overhead"}  # a difference, below zero when the plugins' run happened to be faster
MAY_BE_ZERO = {"errors"}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    url = os.environ.get("CRMKIT_TEST_DATABASE_URL")
    engine = "postgresql" if url else "sqlite"
    out = tmp_path_factory.mktemp("benchmarks") / "smoke.json"
    args = ["--engine", engine, "--sizes", "1k", "--quick", "--import-rows", "300", "--json", str(out), "--no-markdown"]
    assert main([*args, *(["--postgres-url", url] if url else [])]) == 0
    return json.loads(out.read_text(encoding="utf-8"))


def numbers(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k not in SIGNED | MAY_BE_ZERO}


def test_every_registered_measurement_reports_rows(smoke):
    assert {row["measurement"] for row in smoke["rows"]} >= set(core.MEASUREMENTS)


def test_no_measurement_fails(smoke):
    assert [row for row in smoke["rows"] if row["note"].startswith(("error", "import failed"))] == []


def test_every_available_row_has_positive_figures(smoke):
    for row in smoke["rows"]:
        if row["available"]:
            assert numbers(row["figures"]), row
            assert all(v > 0 for v in numbers(row["figures"]).values()), row


def test_every_baseline_is_measured_in_the_same_run_with_positive_figures(smoke):
    for row in smoke["rows"]:
        if row["available"] and row["baseline_label"]:
            assert numbers(row["baseline"]) and all(v > 0 for v in numbers(row["baseline"]).values()), row


def test_each_row_is_measured_or_says_why_not(smoke):
    for row in smoke["rows"]:
        if row["available"]:
            assert row["figures"], row
        else:  # a page that has not landed yet: no figures, no verdict, a reason
            assert row["note"].startswith("not available: ") and len(row["note"]) > len("not available: "), row
            assert row["figures"] == {} and row["met"] is None


def test_the_report_names_the_machine_and_the_engine(smoke):
    assert smoke["machine"]["nproc"] >= 1 and smoke["machine"]["memory_gib"] > 0
    assert list(smoke["engines"]) == ["postgresql" if os.environ.get("CRMKIT_TEST_DATABASE_URL") else "sqlite"]
