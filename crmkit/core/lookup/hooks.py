"""Hooks of the lookup built-in plugin."""

from __future__ import annotations
