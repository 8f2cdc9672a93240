"""Moved to crmkit.testing.migrated, installed with crmkit so that plugins' tests share it."""

from crmkit.testing.migrated import MigratedDatabases, copy_sqlite, lineages_key, recorded_upgrade, replay

__all__ = ["MigratedDatabases", "copy_sqlite", "lineages_key", "recorded_upgrade", "replay"]
