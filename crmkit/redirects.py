"""Where a view may send the browser when the request names the place (``next``, the referrer):
one rule for the whole app, so no form or link becomes an open redirect.

Browsers read a Location leniently: they drop tabs and newlines anywhere, strip leading control
characters and spaces, and take a backslash for a slash, so ``/\\t/evil.example`` and
``/\\\\evil.example`` both mean ``//evil.example``, another site. Rather than predict every such
reading, a target is accepted only when nothing in it could be read so: a path of this site, with
no control character, no backslash and no second slash at its start, in plain form or (the
path) percent-encoded.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import has_request_context, request
from werkzeug.urls import iri_to_uri

LONGEST = 2000  # a target longer than any page of ours is not one
UNSAFE = re.compile(r"[\x00-\x1f\x7f\\]")  # what browsers drop or turn into a slash


def local_url(target: Any, fallback: str) -> str:
    """``target`` when it is a path on this site, else ``fallback``.

    An absolute URL of this very site (a referrer) counts as its path; anything else absolute,
    scheme-relative (``//host``) or that a browser could read as either is refused.
    """
    if not isinstance(target, str) or not target or len(target) > LONGEST:
        return fallback
    if has_request_context() and target.startswith(request.host_url):
        target = "/" + target[len(request.host_url) :]
    if UNSAFE.search(target) or not target.startswith("/") or target.startswith("//"):
        return fallback
    parts = urlsplit(target)
    path = unquote(parts.path)  # in case something on the way decodes it; a query can't change the site
    if parts.scheme or parts.netloc or UNSAFE.search(path) or path.startswith("//"):
        return fallback
    return iri_to_uri(target)
