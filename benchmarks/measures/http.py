"""Requests per second and p95 over HTTP: crmkit's pages under gunicorn (2 sync workers) beside
a bare Flask app that reads the same page with the database driver and renders it at the same
size under the same gunicorn (benchmarks/bare.py), loaded from loopback for a fixed time each;
then the peak RSS of each crmkit worker.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from benchmarks import core, loadgen, world

WORKERS = 2
HTTP_SHARE_TARGET = 0.4
RSS_TARGET_MB = 150
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on {port} within {seconds:g} s")


@contextmanager
def gunicorn(target: str, env: dict[str, str] | None = None):
    """gunicorn serving ``target`` on a free loopback port; yields (base URL, master pid)."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--log-level", "warning", target]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_for(port, process)
        yield f"http://127.0.0.1:{port}", process.pid
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workers_of(master: int) -> list[int]:
    path = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in path.read_text().split()] if path.exists() else []


def memory_mb(pid: int) -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            found[key] = int(value.split()[0]) / 1024
    return {"peak_rss_mb": round(found.get("VmHWM", 0.0), 1), "rss_mb": round(found.get("VmRSS", 0.0), 1)}


def loaded(ctx, url: str, headers: dict[str, str] | None = None) -> loadgen.Load:
    for _ in range(2 * WORKERS):  # every worker has imported, connected and rendered once
        loadgen.run(url, 0.2, threads=1, headers=headers, max_requests=2)
    return loadgen.run(url, ctx.settings.http_seconds, threads=ctx.settings.threads, headers=headers)


@core.measurement("http", order=70)
def http(ctx):
    cookie = {"Cookie": world.session_cookie(ctx.client())}
    with gunicorn("benchmarks.bare:app", {"CRMKIT_BENCH_DATABASE_URL": ctx.database.url}) as (bare_url, _pid):
        bare = loaded(ctx, bare_url + "/person/").figures()
        constant = loaded(ctx, bare_url + "/").figures()
    bare_label = "bare Flask app, same page SQL by the driver, same template size, same gunicorn"
    yield ctx.row("http", "bare Flask app without a database (constant rows)", constant,
                  note="Flask and gunicorn alone, for scale; not a target's baseline")
    with gunicorn("benchmarks.wsgi:app", {"CRMKIT_BENCH_DATABASE_URL": ctx.database.url}) as (base, master):
        for spec in core.PAGES.values():
            path = spec.url(ctx)
            if not spec.http:
                continue
            if path is None:
                yield core.unavailable("http", f"{spec.name} over HTTP", ctx, f"no {spec.name} page in this build")
                continue
            load = loaded(ctx, base + path, cookie)
            figures = load.figures()
            figures["share_of_bare"] = round(figures["req_per_s"] / bare["req_per_s"], 3) if bare["req_per_s"] else 0.0
            figures["share_of_constant"] = round(figures["req_per_s"] / constant["req_per_s"], 3) if constant["req_per_s"] else 0.0
            row = ctx.row("http", f"{spec.name} over HTTP, {WORKERS} workers", figures, baseline_label=bare_label, baseline=bare)
            if load.errors:
                row.note = f"{load.errors} failed requests: {dict(load.statuses)}"
            if spec.name == "people list":
                row.target = f">= {HTTP_SHARE_TARGET:.0%} of bare Flask"
                row.met = figures["share_of_bare"] >= HTTP_SHARE_TARGET and not load.errors
            yield row
        for number, pid in enumerate(workers_of(master), start=1):
            row = ctx.row("memory", f"gunicorn worker {number} after the HTTP runs", memory_mb(pid), target=f"peak RSS < {RSS_TARGET_MB} MB")
            row.met = row.figures["peak_rss_mb"] < RSS_TARGET_MB
            yield row
