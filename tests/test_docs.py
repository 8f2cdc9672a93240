"""Meta-tests in the datasette style: every hook is specified, documented and tested.

Each test is parametrized by hook, so a failure names the hook that lacks a docstring line, a
section in docs/plugins.md or a ``test_hook_<name>`` test.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pluggy
import pytest

from crmkit import frame_hookspecs, hookspecs

TESTS = Path(__file__).parent
PLUGINS_DOC = TESTS.parent / "docs" / "plugins.md"
FIRSTRESULT = "Stops at the first non-None result."


def hook_callers() -> dict[str, pluggy.HookCaller]:
    """The hooks crmkit offers, as its plugin manager sees them."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.add_hookspecs(frame_hookspecs)
    return {name: caller for name, caller in vars(pm.hook).items() if isinstance(caller, pluggy.HookCaller)}


HOOKS = hook_callers()


def hooks_reference() -> str:
    """The "## Hooks" part of docs/plugins.md, up to the next second-level heading."""
    text = PLUGINS_DOC.read_text(encoding="utf-8") if PLUGINS_DOC.exists() else ""
    found = re.search(r"^## Hooks\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return found.group(1) if found else ""


def hook_sections() -> dict[str, str]:
    """Each ``### name`` section of the hooks reference, by name."""
    parts = re.split(r"^### +`?(\w+)`?[ \t]*$", hooks_reference(), flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


SECTIONS = hook_sections()


@cache
def functions_defined_under_tests() -> set[str]:
    names = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                names.add(node.name)
    return names


def docstring(hook: str) -> str:
    return HOOKS[hook].spec.function.__doc__ or ""


def test_hookspecs_are_found():
    assert "nav_items" in HOOKS, "the meta-tests below would check nothing"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_is_documented(hook):
    assert hook in SECTIONS, f"docs/plugins.md has no '### {hook}' section under '## Hooks'"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_section_shows_its_signature(hook):
    signature = f"{hook}({', '.join(HOOKS[hook].spec.argnames)})"
    assert signature in SECTIONS.get(hook, ""), f"the '### {hook}' section should show {signature}"


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_every_documented_hook_exists(name):
    assert name in HOOKS, f"docs/plugins.md documents '{name}', which crmkit/hookspecs.py and frame_hookspecs.py do not offer"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hook_has_a_test(hook):
    assert f"test_hook_{hook}" in functions_defined_under_tests(), f"no test_hook_{hook} under tests/"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hookspec_docstring_names_each_argument(hook):
    missing = [arg for arg in HOOKS[hook].spec.argnames if f":param {arg}:" not in docstring(hook)]
    assert not missing, f"{hook}'s docstring lacks ':param {missing[0]}:'"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hookspec_docstring_says_what_it_returns(hook):
    assert re.search(r"^\s*:return:", docstring(hook), re.M), f"{hook}'s docstring lacks a ':return:' line"


@pytest.mark.parametrize("hook", sorted(HOOKS))
def test_every_hookspec_docstring_says_it_stops_at_the_first_result_exactly_when_it_does(hook):
    firstresult = HOOKS[hook].spec.opts["firstresult"]
    says_so = FIRSTRESULT in docstring(hook)
    assert says_so == firstresult, f"{hook} is {'' if firstresult else 'not '}firstresult; its docstring " + (
        f"should say {FIRSTRESULT!r}" if firstresult else f"must not say {FIRSTRESULT!r}"
    )


# The tutorial shows exactly the code CI runs (tests/plugins/tutorial), and it stays short.

TUTORIAL = TESTS / "plugins" / "tutorial"
TUTORIAL_LINES = 60


def tutorial_section() -> str:
    text = PLUGINS_DOC.read_text(encoding="utf-8")
    found = re.search(r"^## Tutorial\b.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    return found.group(1) if found else ""


def tutorial_blocks() -> dict[str, list[str]]:
    """The tutorial's code blocks by the file their fence names (```python title="..."), in order."""
    blocks: dict[str, list[str]] = {}
    for name, code in re.findall(r'^```[\w+-]+ title="([^"]+)"\n(.*?)^```$', tutorial_section(), re.M | re.S):
        blocks.setdefault(name, []).append(code.rstrip("\n"))
    return blocks


def test_the_tutorial_shows_files():
    assert "crmkit_loans/hooks.py" in tutorial_blocks(), "the checks below would check nothing"


@pytest.mark.parametrize("name", sorted(tutorial_blocks()))
def test_the_tutorials_code_is_the_tested_plugins_code(name):
    shown = "\n\n\n".join(tutorial_blocks()[name]) + "\n"
    assert shown == (TUTORIAL / name).read_text(encoding="utf-8"), (
        f"docs/plugins.md's tutorial shows {name} otherwise than tests/plugins/tutorial/{name}; "
        "the blocks of one file, joined by two blank lines, must be the file"
    )


def test_every_file_of_the_tutorial_plugin_is_shown():
    files = {str(p.relative_to(TUTORIAL)) for p in TUTORIAL.rglob("*") if p.is_file()}
    written_by_tools = ("migrations", "translations", "__pycache__")  # shown as the commands that write them
    hidden = {f for f in files if not any(part in f for part in written_by_tools) and not f.endswith("__init__.py")}
    assert hidden <= set(tutorial_blocks()), f"the tutorial does not show {sorted(hidden - set(tutorial_blocks()))}"


def test_the_tutorials_plugin_is_under_sixty_lines_of_python():
    lines = len((TUTORIAL / "crmkit_loans" / "hooks.py").read_text(encoding="utf-8").splitlines())
    assert lines < TUTORIAL_LINES, f"the tutorial's hooks.py has {lines} lines"


def test_the_tutorials_migration_matches_its_table(make_app, monkeypatch):
    from crmkit import db
    from crmkit.migrate import pending_changes

    monkeypatch.syspath_prepend(str(TUTORIAL))  # as `pip install -e .` in the tutorial's folder would
    app = make_app(plugins=["crmkit_loans.hooks"])
    lineage = next(lin for lin in app.extensions["crmkit"].lineages if lin.name == "loans")
    assert pending_changes(db.engine_of(app), lineage) == []
