"""An entity declared in under 60 lines (hooks.py), which gets pages, history, locking and visibility."""
