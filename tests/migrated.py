"""Moved to crmkit.testing.migrated, installed with crmkit so that plugins' tests share it."""

from crmkit.testing.migrated import MigratedDatabases, copy_sqlite, lineages_key

__all__ = ["MigratedDatabases", "copy_sqlite", "lineages_key"]
