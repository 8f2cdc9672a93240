"""What the tests compile once per process rather than once per app: URL builders and templates.

Every test makes an app, and a new app compiled again what the last one had: Werkzeug's two small
functions for each of ~320 URL rules (``Rule._compile_builder``: an AST, then ``compile``) and
Jinja's code for each template it renders. Together that was a third of a test's setup. Neither
depends on the app: a builder depends on the rule's parsed parts and its defaults' names only, a
template's code on its name, file and source, which Jinja's bytecode cache checks. So the tests
keep both for the process.

A rule with a default for a part of its path is compiled as before (the default is written into
the code through the part's converter). If a Werkzeug release renames the method, nothing is
patched and apps compile as they always did.
"""

from __future__ import annotations

from collections.abc import Callable

from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing.rules import Rule

_ORIGINAL: Callable | None = None


def remember_url_builders() -> None:
    """Install the memo on ``Rule._compile_builder`` (once; later calls do nothing)."""
    global _ORIGINAL
    if _ORIGINAL is not None or not hasattr(Rule, "_compile_builder"):
        return
    original = _ORIGINAL = Rule._compile_builder
    builders: dict[tuple, Callable] = {}

    def compile_builder(self: Rule, append_unknown: bool = True):
        defaults = tuple(str(name) for name in self.defaults or ())
        if any(dynamic and part in defaults for dynamic, part in self._trace):
            return original(self, append_unknown)  # that default is written into the code
        key = (self.rule, tuple(self._trace), defaults, append_unknown)
        builder = builders.get(key)
        if builder is None:
            builder = builders[key] = original(self, append_unknown)
        return builder

    Rule._compile_builder = compile_builder


def forget_url_builders() -> None:
    """Put Werkzeug's own method back."""
    global _ORIGINAL
    if _ORIGINAL is not None:
        Rule._compile_builder = _ORIGINAL
        _ORIGINAL = None


class ProcessBytecodeCache(BytecodeCache):
    """Compiled templates in memory, shared by every app of the process (Jinja checks the source)."""

    def __init__(self):
        self.codes: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


TEMPLATES = ProcessBytecodeCache()
