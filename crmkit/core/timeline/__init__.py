"""The timeline on every record's page: activities, history and plugin events, newest first.

Plugins add entries through the ``timeline_entries`` hook, returning ``TimelineEntry`` values
older than the ``Cursor`` they are given.
"""

from crmkit.core.timeline.entries import Cursor, TimelineEntry

__all__ = ["Cursor", "TimelineEntry"]
