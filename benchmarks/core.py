"""The registry of measurements and the value types every measurement reports.

A measurement is a function of a ``Context`` (one engine, one size, a populated database and an
app) that yields ``Row`` values: what was measured beside its baseline, and the target it is
judged against. Registering one is a decorator::

    @measurement("deals", order=60)
    def deals(ctx):
        yield ctx.page_row("deals", "list sorted by amount", "/pipelines/deal/?sort=-amount")

A page that should also be loaded over HTTP and with plugins is one line (see ``page``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Row:
    """One line of the results table.

    ``figures`` and ``baseline`` hold numbers by name (``p50_ms``, ``rows_per_s``...), the
    baseline measured in the same run on the same data. ``met`` is None when no target applies
    or when the measurement was not available (``note`` then says why).
    """

    measurement: str
    case: str
    engine: str
    size: int
    figures: dict[str, float] = field(default_factory=dict)
    baseline_label: str = ""
    baseline: dict[str, float] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None
    available: bool = True
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Measurement:
    name: str
    run: Callable[[Any], Iterable[Row]]
    order: int


@dataclass(frozen=True)
class PageSpec:
    """A page every page-level measurement visits: server time, HTTP load and plugin overhead.

    ``url`` turns a context into the address (or None when the page doesn't exist yet).
    """

    name: str
    url: Callable[[Any], str | None]
    http: bool = True


MEASUREMENTS: dict[str, Measurement] = {}
PAGES: dict[str, PageSpec] = {}


def measurement(name: str, order: int = 100) -> Callable:
    """Register a measurement; they run in ``order``, then by name."""

    def register(run: Callable[[Any], Iterable[Row]]) -> Callable[[Any], Iterable[Row]]:
        MEASUREMENTS[name] = Measurement(name, run, order)
        return run

    return register


def page(name: str, url: Callable[[Any], str | None], http: bool = True) -> None:
    """Register a page for the HTTP and plugin-overhead runs (``url(ctx)`` gives its address)."""
    PAGES[name] = PageSpec(name, url, http)


def ordered(names: Iterable[str] | None = None) -> list[Measurement]:
    chosen = [m for m in MEASUREMENTS.values() if names is None or m.name in names]
    return sorted(chosen, key=lambda m: (m.order, m.name))


# statistics
def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile (``share`` 0.5 for the median, 0.95 for p95)."""
    if not samples:
        raise ValueError("no samples")
    ordered_samples = sorted(samples)
    rank = max(1, min(len(ordered_samples), round(share * len(ordered_samples) + 0.5)))
    return ordered_samples[rank - 1]


class Samples(list):
    """Wall-clock seconds per call, with the calling thread's CPU seconds beside them in ``cpu``:
    on a machine shared with other work the CPU time shows what the code itself costs."""

    def __init__(self, wall: list[float] = (), cpu: list[float] = ()):
        super().__init__(wall)
        self.cpu = list(cpu)


def latency(samples_s: list[float]) -> dict[str, float]:
    """p50, p95 and mean in milliseconds of samples in seconds (and the CPU p50 when known)."""
    ms = [s * 1000 for s in samples_s]
    found = {
        "p50_ms": round(percentile(ms, 0.5), 3),
        "p95_ms": round(percentile(ms, 0.95), 3),
        "mean_ms": round(statistics.fmean(ms), 3),
        "n": len(ms),
    }
    cpu = getattr(samples_s, "cpu", None)
    if cpu:
        found["cpu_p50_ms"] = round(percentile([c * 1000 for c in cpu], 0.5), 3)
    return found


def sample(call: Callable[[Any], Any], inputs: list[Any], rounds: int, warmup: int = 1) -> Samples:
    """Seconds per call of ``call(input)``, each input ``rounds`` times, after ``warmup`` rounds."""
    for _ in range(warmup):
        for each in inputs:
            call(each)
    timings = Samples()
    for _ in range(rounds):
        for each in inputs:
            cpu, began = time.thread_time(), time.perf_counter()
            call(each)
            timings.append(time.perf_counter() - began)
            timings.cpu.append(time.thread_time() - cpu)
    return timings


def unavailable(measurement_name: str, case: str, ctx: Any, why: str, target: str = "") -> Row:
    return Row(measurement_name, case, ctx.engine, ctx.size, target=target, available=False, note=f"not available: {why}")


def chunks(items: list[Any], size: int) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
