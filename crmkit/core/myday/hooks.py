"""Hooks of the myday built-in plugin."""

from __future__ import annotations
