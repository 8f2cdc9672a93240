"""A tiny plugin that ships its own catalogs in ``translations/``, merged over the core's."""

__version__ = "0.1.0"
