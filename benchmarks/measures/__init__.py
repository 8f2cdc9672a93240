"""The measurements, registered on import in benchmarks.core; add a module here to add one."""

from __future__ import annotations

from benchmarks.measures import activity_reports, deals, funnel, home, http, importing, notifications, pages, plugins, reports  # noqa: F401 - registers them
