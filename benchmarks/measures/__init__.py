"""The measurements, registered on import in benchmarks.core; add a module here to add one."""

from __future__ import annotations

from benchmarks.measures import activity_reports, deals, documents, files, funnel, home, http, importing, intake, leads, notifications, pages, plugins, reports  # noqa: F401 - registers them
from benchmarks.measures import intake_mail  # noqa: F401, E402 - the mailbox channel's pages
from benchmarks.measures import automation  # noqa: F401, E402 - the automation run log
from benchmarks.measures import telephony  # noqa: F401, E402 - the telephony plugin's reports
from benchmarks.measures import matching  # noqa: F401, E402 - real estate matching both ways (the plugin's app)
from benchmarks.measures import real_estate_objects  # noqa: F401, E402 - real estate objects: lists and an object page (the plugin app)
from benchmarks.measures import real_estate_statistics  # noqa: F401, E402 - real estate statistics: an object's figures and the objects and sources reports (the plugin app)
from benchmarks.measures import telephony_card  # noqa: F401, E402 - the telephony plugin's incoming-call card
