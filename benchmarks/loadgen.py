"""A small closed-loop load generator: N threads, each with its own keep-alive connection
(reopened when the server closes it), sending GETs to one address on loopback for a fixed time.

It stands in for wrk, which this machine's image does not ship; like wrk it counts completed
requests and their latencies. It runs in the benchmark's process, so it shares the machine's
cores with the server, equally for crmkit and for the bare Flask app it is compared with.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from benchmarks import core


@dataclass
class Load:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def figures(self) -> dict[str, float]:
        found = {"req_per_s": round(self.per_second, 1), "requests": self.requests, "errors": self.errors}
        if self.latencies:
            stats = core.latency(self.latencies)
            found.update(p50_ms=stats["p50_ms"], p95_ms=stats["p95_ms"])
        return found


def run(url: str, seconds: float, threads: int = 4, headers: dict[str, str] | None = None, max_requests: int = 1_000_000) -> Load:
    """Load ``url`` (http://127.0.0.1:PORT/path only) for ``seconds``; bounded in time and count."""
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError("the load generator only talks to loopback")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    load = Load()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        mine: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        while time.perf_counter() < deadline and len(mine) < max_requests:
            began = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                errors += 1
                connection.close()
                continue
            statuses[response.status] = statuses.get(response.status, 0) + 1
            if response.status == 200:
                mine.append(time.perf_counter() - began)
            else:
                errors += 1
        connection.close()
        with lock:
            load.latencies.extend(mine)
            load.requests += len(mine)
            load.errors += errors
            for status, count in statuses.items():
                load.statuses[status] = load.statuses.get(status, 0) + count

    began = time.perf_counter()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(seconds + 60)
    load.seconds = time.perf_counter() - began
    return load
