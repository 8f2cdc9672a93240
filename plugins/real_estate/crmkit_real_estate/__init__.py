"""crmkit-real-estate: a real estate agency on crmkit, written against crmkit.api alone."""

__version__ = "0.1.0"
