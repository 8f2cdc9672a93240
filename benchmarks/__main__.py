"""``python -m benchmarks``: run every registered measurement at each size on each engine,
print the table, write JSON per engine and benchmarks/RESULTS.md.

    python -m benchmarks --engine sqlite,postgresql --sizes 10k,100k [--million]
"""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from benchmarks import core, data, report, world
from benchmarks.context import Context, Settings
from benchmarks.measures import pages  # noqa: F401 - registers the measurements (and importing the package, all)

HERE = Path(__file__).parent
RESULTS = HERE / "results"


def size_of(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * factor)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", default="sqlite", help="sqlite, postgresql or both, comma-separated (default sqlite)")
    parser.add_argument("--sizes", default="10k,100k", help="contacts (people) per size, comma-separated (default 10k,100k)")
    parser.add_argument("--million", action="store_true", help="add the 1M size")
    parser.add_argument("--postgres-url", default=world.DEFAULT_POSTGRES, help="a database to make a schema in")
    parser.add_argument("--only", help="measurements to run, comma-separated: " + ", ".join(core.MEASUREMENTS))
    parser.add_argument("--http-seconds", type=float, default=10.0, help="load time of each HTTP run (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="times each sampled request is repeated (default 3)")
    parser.add_argument("--samples", type=int, default=20, help="distinct inputs per case (default 20)")
    parser.add_argument("--import-rows", type=int, default=20_000, help="rows of each import file (default 20000)")
    parser.add_argument("--quick", action="store_true", help="the smoke run: few samples, 1 s of HTTP load")
    parser.add_argument("--json", type=Path, help="where to write the JSON (default benchmarks/results/<engine>.json)")
    parser.add_argument("--profile", type=Path, metavar="FOLDER", help="write a pyinstrument profile of each measurement there")
    parser.add_argument("--merge", action="store_true", help="keep the JSON's rows of what is not measured now (other sizes, other measurements)")
    parser.add_argument("--rewrite", action="store_true", help="measure nothing: redo the ratios in the JSON files and RESULTS.md")
    parser.add_argument("--no-markdown", action="store_true", help="leave benchmarks/RESULTS.md alone")
    args = parser.parse_args(argv)
    if args.quick:
        args.http_seconds, args.rounds, args.samples = min(args.http_seconds, 1.0), 1, min(args.samples, 3)
    return args


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure(measurement: core.Measurement, ctx: Context, profile: Path | None) -> list[core.Row]:
    """The measurement's rows; with ``profile``, also where its time went (pyinstrument, text)."""
    if profile is None:
        return list(measurement.run(ctx))
    from pyinstrument import Profiler  # the test extra's; only needed for --profile

    profiler = Profiler()
    with profiler:
        rows = list(measurement.run(ctx))
    profile.mkdir(parents=True, exist_ok=True)
    path = profile / f"{ctx.engine}-{report.short(ctx.size)}-{measurement.name}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False), encoding="utf-8")
    return rows


def run_engine(engine: str, sizes: list[int], settings: Settings, only: set[str] | None, profile: Path | None = None) -> list[core.Row]:
    rows: list[core.Row] = []
    database = world.new_database(engine, settings.postgres_url, "contacts")
    try:
        app = database.app()
        world.migrate(app)
        dataset = data.setup_users(app)
        for number, size in enumerate(sizes):
            began = time.perf_counter()
            data.grow(app, dataset, size)
            log(f"{engine}: {size:,} people, {dataset.organizations:,} organisations, {dataset.activities:,} activities "
                f"ready in {time.perf_counter() - began:.0f} s")
            ctx = Context(engine, size, database, app, dataset, settings, first=number == 0)
            for measurement in core.ordered(only):
                began = time.perf_counter()
                try:
                    found = measure(measurement, ctx, profile)
                except Exception as error:  # noqa: BLE001 - one broken measurement must not hide the others
                    traceback.print_exc()
                    found = [core.Row(measurement.name, "error", engine, size, met=False, note=f"error: {error!r}")]
                rows.extend(found)
                log(f"{engine} {report.short(size)} {measurement.name}: {len(found)} rows in {time.perf_counter() - began:.1f} s")
    finally:
        database.dispose()
    return rows + report.scaling(rows)


def json_path(given: Path | None, engine: str, engines: int) -> Path:
    if given is None:
        return RESULTS / f"{engine}.json"
    return given if engines == 1 else given.with_name(f"{given.stem}-{engine}.json")


def merged(previous: dict, rows: list[core.Row]) -> list[core.Row]:
    """The earlier run's rows of what was not measured now (measurement and size), then this
    run's, the scaling ratios redone over both (so ``--sizes 1m --merge`` compares with 10k)."""
    again = {(row.measurement, row.size) for row in rows}
    kept = [r for r in report.load_rows(previous) if (r.measurement, r.size) not in again and r.measurement != "scaling"]
    fresh = sorted(kept + [row for row in rows if row.measurement != "scaling"], key=lambda row: row.size)
    return fresh + report.scaling(fresh)


def main(argv: list[str] | None = None) -> int:
    """Run the suite; a SIGTERM meanwhile still drops the benchmark's schema and files."""
    if threading.current_thread() is not threading.main_thread():
        return run(argv)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        return run(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def run(argv: list[str] | None) -> int:
    args = parse(argv)
    engines = [e.strip() for e in args.engine.split(",") if e.strip()]
    sizes = sorted({size_of(s) for s in args.sizes.split(",") if s.strip()} | ({1_000_000} if args.million else set()))
    only = {name.strip() for name in args.only.split(",")} if args.only else None
    settings = Settings(rounds=args.rounds, samples=args.samples, http_seconds=args.http_seconds, import_rows=args.import_rows,
                        postgres_url=args.postgres_url, quick=args.quick)
    command = "python -m benchmarks " + shlex.join(argv if argv is not None else sys.argv[1:])
    if args.rewrite:
        engines = []
        for path in sorted(RESULTS.glob("*.json")):
            doc = json.loads(path.read_text(encoding="utf-8"))
            doc["rows"] = [r.as_dict() for r in merged(doc, [])]
            report.write_json(path, doc)
    for engine in engines:
        rows = run_engine(engine, sizes, settings, only, args.profile)
        version = report.postgres_version(args.postgres_url) if engine == "postgresql" else report.machine()["sqlite"]
        path = json_path(args.json, engine, len(engines))
        shown = command
        if args.merge and path.exists():
            previous = json.loads(path.read_text(encoding="utf-8"))
            rows, shown = merged(previous, rows), f"{previous['command']}`, then `{command}"
        doc = report.document(rows, vars(settings), shown, {engine: version})
        report.write_json(path, doc)
        print(report.text_table(rows))
        log(f"wrote {path}")
    if not args.no_markdown:
        docs = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(RESULTS.glob("*.json"))]
        report.write_markdown(HERE / "RESULTS.md", docs)
        log(f"wrote {HERE / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
