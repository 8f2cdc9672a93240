"""The results: a text table for the terminal, JSON for machines, and benchmarks/RESULTS.md."""

from __future__ import annotations

import json
import os
import platform
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.core import Row

SCALING_TARGET = 1.5
SCALED = ("list", "lookup", "board", "leads", "intake", "intake_mail", "automation", "notifications", "sql at scale")


def machine() -> dict[str, Any]:
    memory_kb = 0
    model = platform.processor()
    try:
        meminfo = Path("/proc/meminfo").read_text()
        memory_kb = int(next(line.split()[1] for line in meminfo.splitlines() if line.startswith("MemTotal")))
        cpuinfo = Path("/proc/cpuinfo").read_text()
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), model)
    except (OSError, StopIteration):
        pass
    return {
        "nproc": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "cpu": model,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def postgres_version(url: str) -> str:
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - only a label for the report
        return "?"


def scaling(rows: list[Row]) -> list[Row]:
    """The largest size's p50 over the smallest's, for the pages whose cost must not grow.

    On SQLite the database works in the serving thread, so its CPU p50 is compared: it holds
    when the machine's load differs between the sizes' runs. PostgreSQL works in another
    process, so there the wall-clock p50 is compared.
    """
    found = []
    for row in rows:
        if row.measurement not in SCALED or not row.available or "p50_ms" not in row.figures:
            continue
        same = [r for r in rows if (r.measurement, r.case, r.engine) == (row.measurement, row.case, row.engine)
                and r.available and "p50_ms" in r.figures]
        smallest = min(same, key=lambda r: r.size)
        if row.size == smallest.size or row.size != max(r.size for r in same):
            continue
        figure = "cpu_p50_ms" if row.engine == "sqlite" and "cpu_p50_ms" in row.figures and "cpu_p50_ms" in smallest.figures else "p50_ms"
        ratio = round(row.figures[figure] / max(smallest.figures[figure], 1e-6), 2)
        found.append(Row("scaling", f"{row.case}: {short(row.size)} vs {short(smallest.size)}", row.engine, row.size,
                         {"ratio_p50": ratio, figure: row.figures[figure]}, f"{figure.replace('_ms', '')} at {short(smallest.size)}",
                         {figure: smallest.figures[figure]}, f"<= {SCALING_TARGET:g}x", ratio <= SCALING_TARGET))
    return found


def short(size: int) -> str:
    if size >= 1_000_000 and size % 1_000_000 == 0:
        return f"{size // 1_000_000}M"
    if size >= 1000 and size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def describe(figures: dict[str, float]) -> str:
    """The figures that matter, in words a reader scans."""
    if not figures:
        return "-"
    parts = []
    if "rows_per_s" in figures:
        parts.append(f"{figures['rows_per_s']:,.0f} rows/s")
    if "req_per_s" in figures:
        parts.append(f"{figures['req_per_s']:,.0f} req/s")
    if "p50_ms" in figures:
        parts.append(f"p50 {figures['p50_ms']:.2f} ms")
    if "p95_ms" in figures:
        parts.append(f"p95 {figures['p95_ms']:.2f} ms")
    if "cpu_p50_ms" in figures:
        parts.append(f"CPU p50 {figures['cpu_p50_ms']:.2f} ms")
    if "cpu_rows_per_s" in figures:
        parts.append(f"{figures['cpu_rows_per_s']:,.0f} rows per CPU-s")
    if "x_baseline_p50" in figures:
        parts.append(f"{figures['x_baseline_p50']:g}x raw")
    if "share_of_bare" in figures:
        parts.append(f"{figures['share_of_bare']:.0%} of bare")
    if "share_of_constant" in figures:
        parts.append(f"{figures['share_of_constant']:.0%} of bare without a database")
    if "peak_rss_mb" in figures:
        parts.append(f"peak RSS {figures['peak_rss_mb']:.0f} MB (now {figures['rss_mb']:.0f} MB)")
    if "overhead" in figures:
        parts.append(f"overhead {figures['overhead']:+.1%}")
    if "ratio_p50" in figures:
        parts.append(f"{figures['ratio_p50']:g}x")
    return ", ".join(parts)


def verdict(row: Row) -> str:
    if not row.available:
        return "n/a"
    return "-" if row.met is None else ("yes" if row.met else "NO")


def cells(row: Row) -> list[str]:
    baseline = f"{row.baseline_label}: {describe(row.baseline)}" if row.baseline_label else ""
    result = row.note if not row.available else describe(row.figures) + (f" ({row.note})" if row.note else "")
    return [row.engine, short(row.size), row.measurement, row.case, result, baseline, row.target, verdict(row)]


HEADINGS = ["engine", "size", "measurement", "case", "result", "baseline (same run)", "target", "met"]


def text_table(rows: list[Row]) -> str:
    table = [HEADINGS, *(cells(r) for r in rows)]
    widths = [min(max(len(line[i]) for line in table), 70) for i in range(len(HEADINGS))]
    return "\n".join("  ".join(c[:70].ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in table)


def markdown_table(rows: list[Row]) -> str:
    def line(values: list[str]) -> str:
        return "| " + " | ".join(v.replace("|", "\\|") for v in values) + " |"

    return "\n".join([line(HEADINGS), line(["---"] * len(HEADINGS)), *(line(cells(r)) for r in rows)])


def document(rows: list[Row], settings: dict[str, Any], command: str, engines: dict[str, str]) -> dict[str, Any]:
    return {
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine(),
        "engines": engines,
        "settings": settings,
        "rows": [r.as_dict() for r in rows],
    }


def write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def load_rows(doc: dict[str, Any]) -> list[Row]:
    return [Row(**row) for row in doc["rows"]]


def write_markdown(path: Path, docs: list[dict[str, Any]]) -> None:
    """RESULTS.md from the latest JSON of each engine."""
    about = ("Written by `python -m benchmarks` (see the README's Benchmarks section); each table is the latest run on "
             "that engine. Server times are measured inside the process (Flask test client: routing, login, queries, "
             "templates, no network); HTTP figures through gunicorn with 2 workers and a Python load generator on "
             "loopback that shares the machine's cores. Targets are the ones set for 1M contacts on this 2-core machine. "
             "Where the time goes, and who can fix it: [FINDINGS.md](FINDINGS.md).")
    parts = ["# Benchmark results", "", about, ""]
    for doc in docs:
        m = doc["machine"]
        engines = ", ".join(f"{name} {version}" for name, version in doc["engines"].items())
        load = " ".join(map(str, m["load_average"]))
        parts += [f"## {engines}", "",
                  f"- date: {doc['generated']}",
                  (f"- machine: nproc {m['nproc']}, memory {m['memory_gib']} GiB, {m['cpu']}, load average at the end {load} "
                  "(the 2 cores are shared with other work)"),
                  f"- Python {m['python']}, SQLite {m['sqlite']}",
                  f"- command: `{doc['command']}`", "",
                  markdown_table(load_rows(doc)), ""]
    path.write_text("\n".join(parts), encoding="utf-8")
