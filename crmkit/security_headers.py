"""Security headers on every response: a strict Content-Security-Policy and its companions.

Every answer crmkit gives (pages, the JSON API, static files, errors, redirects, downloads, the
API docs) carries:

- ``Content-Security-Policy``: only our own files run or style the page. No inline script and
  no inline style anywhere, so no nonces: every page's scripts and styles are files under a
  ``static/`` folder, and a look that depends on data (a department's depth in the org tree) is
  a CSS class rather than a ``style=`` attribute, which a strict ``style-src`` would block.
  A nonce would only be worth its per-request cost for inline code we cannot move, and we
  have none. ``img-src`` also allows ``data:`` images (Swagger UI's icons, server-made QR codes).
- ``X-Frame-Options: DENY`` beside ``frame-ancestors 'none'``, for browsers that predate it.
- ``X-Content-Type-Options: nosniff``: JSON and downloads that echo stored text are never
  read as HTML or script.
- ``Referrer-Policy: same-origin``: links to a contact's website don't tell it our URLs.
- ``Strict-Transport-Security`` only on requests that came over HTTPS (``request.is_secure``;
  behind a proxy that is gunicorn's ``X-Forwarded-Proto`` from ``--forwarded-allow-ips``).

A response that already carries a Content-Security-Policy keeps it and gets ours beside it:
browsers enforce both, so a view can tighten the policy, never loosen it.

Plugins extend the policy with the ``register_csp_sources`` hook, deployments with the
``CSP_EXTRA`` setting (``{"img-src": ["https://tiles.example"]}``). Both only add sources.
A source that loosens the policy (any quoted keyword but ``'self'`` and hashes, such as
``'unsafe-inline'`` or ``'unsafe-eval'``; ``*``; a bare scheme such as ``https:`` outside
images, media and fonts; anything for a directive that is ``'none'``) stops crmkit at start-up
unless the deployment lists that exact ``"directive source"`` in ``CSP_ALLOW``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pluggy
from flask import Flask, Response, request

from crmkit.config import ConfigError

BASE_POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'",),
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    "connect-src": ("'self'",),
    "media-src": ("'self'",),
    "frame-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}
FIXED_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
HSTS = "max-age=31536000"
SCHEMES_ALLOWED_BARE = {"img-src", "media-src", "font-src"}  # e.g. data: or blob: images
KEYWORD = re.compile(r"'[a-z-]+'")
HASH = re.compile(r"'sha(256|384|512)-[A-Za-z0-9+/_-]+={0,2}'")
SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:")
HOST = re.compile(r"([a-z][a-z0-9+.-]*://)?(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?(/[\w\-.~%!$&()*+=:@/]*)?", re.I | re.A)
EXTENSION_EXAMPLE = '{"img-src": ["https://tiles.example"]}'


class CspError(ConfigError):
    """A Content-Security-Policy extension is malformed or would loosen the policy."""


def init_app(app: Flask, pm: pluggy.PluginManager) -> None:
    """Build the policy once, from plugins and settings, and put the headers on every response."""
    app.config.setdefault("CSP_EXTRA", {})
    app.config.setdefault("CSP_ALLOW", [])
    given = {"app": app}
    extensions = [
        (f"plugin {impl.plugin_name!r}", impl.function(*[given[name] for name in impl.argnames]))
        for impl in pm.hook.register_csp_sources.get_hookimpls()
        if not (impl.hookwrapper or getattr(impl, "wrapper", False))
    ]
    extensions.append(("the CSP_EXTRA setting", app.config["CSP_EXTRA"]))
    policy = build_policy(extensions, allowed=app.config["CSP_ALLOW"])

    def add_headers(response: Response) -> Response:
        headers = response.headers
        if "Content-Security-Policy" in headers:
            headers.add("Content-Security-Policy", policy)
        else:
            headers["Content-Security-Policy"] = policy
        for name, value in FIXED_HEADERS.items():
            headers[name] = value
        if request.is_secure:
            headers["Strict-Transport-Security"] = HSTS
        return response

    app.extensions["crmkit.csp"] = policy
    app.after_request(add_headers)


def build_policy(extensions: Iterable[tuple[str, Mapping[str, Iterable[str]] | None]], allowed: Iterable[str] = ()) -> str:
    """The header value: the base policy plus each ``(who, {directive: sources})`` extension.

    :raises CspError: naming who asked, for an unknown directive, a malformed source, or a
        loosening source that ``allowed`` (``"directive source"`` strings) does not list.
    """
    allowed = {allowed} if isinstance(allowed, str) else set(allowed)  # one entry, as CRMKIT_CSP_ALLOW may give it
    directives = {name: list(sources) for name, sources in BASE_POLICY.items()}
    for who, extension in extensions:
        if not isinstance(extension, Mapping):
            if extension is None:
                continue
            raise CspError(f"{who}: a CSP extension is a mapping of directive to sources, like {EXTENSION_EXAMPLE}")
        for directive, sources in extension.items():
            if directive not in directives:
                known = ", ".join(BASE_POLICY)
                raise CspError(f"{who}: {directive!r} is not a directive crmkit's CSP extends (one of {known})")
            if isinstance(sources, str):
                raise CspError(f"{who}: the sources for {directive} must be a list, like {EXTENSION_EXAMPLE}")
            for source in sources:
                _add(directives[directive], directive, source, who, allowed)
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _add(current: list[str], directive: str, source: object, who: str, allowed: set[str]) -> None:
    if not isinstance(source, str) or not _well_formed(source):
        raise CspError(f"{who}: {source!r} is not a Content-Security-Policy source for {directive}")
    if source in current:
        return
    if _loosens(directive, source, current) and f"{directive} {source}" not in allowed:
        raise CspError(
            f"{who} asks for {directive} {source}, which loosens crmkit's Content-Security-Policy. "
            f"crmkit refuses it unless the deployment allows exactly that addition: "
            f"CSP_ALLOW = [\"{directive} {source}\"] in the instance's config.py"
        )
    if current == ["'none'"]:
        current.clear()
    current.append(source)


def _well_formed(source: str) -> bool:
    return source == "*" or any(form.fullmatch(source) for form in (KEYWORD, HASH, SCHEME, HOST))


def _loosens(directive: str, source: str, current: list[str]) -> bool:
    if current == ["'none'"] or source == "*":
        return True
    if source.startswith("'"):
        return source != "'self'" and not HASH.fullmatch(source)
    return bool(SCHEME.fullmatch(source)) and directive not in SCHEMES_ALLOWED_BARE
