"""crmkit's benchmark suite: speed and scale of the pages people wait for, against baselines
measured in the same run (raw SQL, raw inserts, a bare Flask app).

Run from the repository root: ``python -m benchmarks --engine sqlite --sizes 10k,100k``.
Measurements are registered in ``benchmarks.core`` (see ``measurement`` and ``page``); the
modules in ``benchmarks.measures`` hold them.
"""
