"""Plugin overhead: the same pages' server time with twenty trivial plugins implementing every
UI hook (nav_items, template_context, dashboard_widgets, entity_panels, entity_actions) against
none, on the same database, timed alternately so both see the same machine."""

from __future__ import annotations

import time

from benchmarks import core, trivial, world

OVERHEAD_TARGET = 0.10


@core.measurement("plugins", order=60)
def plugin_overhead(ctx):
    plain = ctx.client()
    app = ctx.database.app(plugins=trivial.plugins())
    loaded = world.logged_in_client(app)
    rounds = ctx.settings.rounds * 5
    for spec in core.PAGES.values():
        path = spec.url(ctx)
        if path is None:
            yield core.unavailable("plugins", f"{spec.name}, {trivial.COUNT} trivial plugins", ctx, f"no {spec.name} page in this build")
            continue
        times: dict[str, list[float]] = {"none": [], "with": []}
        for client in (plain, loaded):  # warm both
            if (status := client.get(path).status_code) != 200:
                raise RuntimeError(f"GET {path} answered {status}")
        for _ in range(rounds):
            for name, client in (("none", plain), ("with", loaded)):
                began = time.perf_counter()
                response = client.get(path)
                response.get_data()
                times[name].append(time.perf_counter() - began)
        base, extended = core.latency(times["none"]), core.latency(times["with"])
        extended["overhead"] = round(extended["p50_ms"] / base["p50_ms"] - 1, 3)
        row = ctx.row("plugins", f"{spec.name}, {trivial.COUNT} trivial plugins", extended, baseline_label="no extra plugins",
                      baseline=base, target=f"overhead < {OVERHEAD_TARGET:.0%}")
        row.met = extended["overhead"] < OVERHEAD_TARGET
        yield row
