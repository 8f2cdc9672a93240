"""Hooks of the duplicates built-in plugin."""

from __future__ import annotations
