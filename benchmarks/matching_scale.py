"""The real-estate 'matching' measurement at a size of objects and demands without growing the
people table to that size (people only give the demands' person ids, and filling 100k people
takes most of a full run): ``python -m benchmarks.matching_scale ENGINE SIZE PEOPLE``, e.g.
``python -m benchmarks.matching_scale postgresql 100000 2000``. Prints the measurement's table,
its raw-SQL baselines measured in the same run."""

from __future__ import annotations

import sys

from benchmarks import core, data, report, world
from benchmarks.context import Context, Settings
from benchmarks.measures import matching  # noqa: F401 - registers the measurement


def main(argv: list[str]) -> None:
    engine, size, people = argv[0], int(argv[1]), int(argv[2])
    database = world.new_database(engine, world.DEFAULT_POSTGRES, "matching")
    try:
        app = database.app()
        world.migrate(app)
        dataset = data.setup_users(app)
        data.grow(app, dataset, people)
        ctx = Context(engine, size, database, app, dataset, Settings(postgres_url=world.DEFAULT_POSTGRES))
        print(report.text_table(list(core.MEASUREMENTS["matching"].run(ctx))))
    finally:
        database.dispose()


if __name__ == "__main__":
    main(sys.argv[1:])
