"""The crmkit app gunicorn serves in the HTTP measurement, on the benchmark's database.

``CRMKIT_BENCH_DATABASE_URL=... gunicorn -w 2 'benchmarks.wsgi:app'``
"""

from __future__ import annotations

import os

from benchmarks import world
from crmkit.app import create_app

app = create_app(world.config(os.environ["CRMKIT_BENCH_DATABASE_URL"]))
