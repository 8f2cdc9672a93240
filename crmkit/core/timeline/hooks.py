"""Hooks of the timeline built-in plugin."""

from __future__ import annotations
