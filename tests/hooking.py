"""Helpers of the hook tests (test_hooks.py, test_page_hooks.py): a plugin made of the hook
implementations a test gives, and a logged-in client's view of its pages."""

from __future__ import annotations

import re
import types
from pathlib import Path

from tests.conftest import ADMIN_PASSWORD, add_user, login

INLINE = Path(__file__).parent / "plugins" / "inline"  # templates/inline/widget.html


def plugin(name: str, *implementations, folder: Path = INLINE) -> types.ModuleType:
    """A plugin module called ``name`` holding the given hook implementations."""
    module = types.ModuleType(name)
    module.__file__ = str(folder / "hooks.py")
    for implementation in implementations:
        setattr(module, implementation.__name__, implementation)
    return module


def client_of(app, email="admin@example.com", **fields):
    add_user(app, email=email, **fields)
    client = app.test_client()
    assert login(client, email=email, password=ADMIN_PASSWORD).status_code == 302
    return client


def text_of(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def nav_links(page: str) -> list[str]:
    nav = re.search(r"<nav\b[^>]*>(.*?)</nav>", page, re.S)
    assert nav, "the page has no main navigation"
    return re.findall(r'href="([^"]+)"', nav.group(1))
