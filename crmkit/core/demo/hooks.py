"""The demo as a built-in plugin: `crmkit demo` fills a database with a realistic company to try
crmkit with (serve's first run loads the same, unless told not to)."""

from __future__ import annotations

from crmkit import hookimpl
from crmkit.core.demo.commands import demo_command


@hookimpl
def register_commands():
    return [demo_command]
