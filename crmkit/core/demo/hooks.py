"""Hooks of the demo built-in plugin."""

from __future__ import annotations
