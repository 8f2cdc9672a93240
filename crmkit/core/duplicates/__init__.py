"""Duplicates of people and organisations: warnings, the duplicates page, merge and undo."""
