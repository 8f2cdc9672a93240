"""Installing plugins the way pip does: a package and its ``.dist-info`` in a folder on sys.path.

``site`` is a fixture giving such a folder for one test; afterwards the modules imported from it
and the tables they declared are forgotten, so the next test can install the same names afresh.
"""

from __future__ import annotations

import importlib
import shutil
import sys
import textwrap
from pathlib import Path

import pytest
from sqlmodel import SQLModel

HELLO_TEMPLATE = Path(__file__).parent / "crmkit_hello"


def write_distribution(site: Path, dist: str, entry_points: dict[str, str], version: str = "1.0") -> Path:
    """Write ``<dist>-<version>.dist-info`` declaring ``entry_points`` in the ``crmkit`` group."""
    info = site / f"{dist}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[crmkit]\n{lines}", encoding="utf-8")
    return info


def write_plugin(site: Path, package: str, hooks_source: str, files: dict[str, str] | None = None) -> Path:
    """Write a package with the given ``hooks.py`` (dedented) and any other files."""
    folder = site / package
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    (folder / "hooks.py").write_text(textwrap.dedent(hooks_source), encoding="utf-8")
    for name, source in (files or {}).items():
        (folder / name).write_text(textwrap.dedent(source), encoding="utf-8")
    return folder


def install_plugin(site: Path, name: str, hooks_source: str, version: str = "1.0", **files: str) -> Path:
    """Install ``crmkit_<name>`` with the entry point ``<name> = crmkit_<name>.hooks``."""
    folder = write_plugin(site, f"crmkit_{name}", hooks_source, {f"{k}.py": v for k, v in files.items()})
    write_distribution(site, f"crmkit_{name}", {name: f"crmkit_{name}.hooks"}, version)
    return folder


def install_hello(site: Path, migrations: bool = True) -> Path:
    """Install the hello plugin (tests/plugins/crmkit_hello), with or without its migrations."""
    ignore = ["__pycache__"] + ([] if migrations else ["migrations"])
    folder = shutil.copytree(HELLO_TEMPLATE, site / "crmkit_hello", ignore=shutil.ignore_patterns(*ignore))
    write_distribution(site, "crmkit_hello", {"hello": "crmkit_hello.hooks"})
    return folder


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path to install plugins into, forgotten after the test."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    yield folder
    forgotten = set()
    for name, module in list(sys.modules.items()):
        if str(getattr(module, "__file__", None) or "").startswith(str(folder)):
            forgotten.add(name)
            del sys.modules[name]
    registry = SQLModel._sa_registry
    for mapper in list(registry.mappers):
        if mapper.class_.__module__ in forgotten:
            # Only the installed plugins' tables: the core's may have been first imported meanwhile.
            for table in mapper.tables:
                if table.name in SQLModel.metadata.tables:
                    SQLModel.metadata.remove(table)
            # Else reinstalling the same plugin warns that its model class is declared twice.
            registry._dispose_cls(mapper.class_)
    importlib.invalidate_caches()
