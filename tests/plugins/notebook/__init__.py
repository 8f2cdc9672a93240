"""A small plugin used by the tests: a table with its own migration, a page, a nav item, a command."""

__version__ = "1.2.3"
