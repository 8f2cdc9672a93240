"""A template for an installed third-party plugin; tests copy it into a temporary site folder.

It is never imported from here: tests/plugins/install.py writes it out as the distribution
``crmkit_hello`` with a ``crmkit`` entry point, the way pip would install it.
"""

__version__ = "1.0"
