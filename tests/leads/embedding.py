"""Another site embedding a crmkit web form: a tiny ``http.server`` on a free port of its own,
serving one page with the form's snippet, as an agency's site would.

``embedded_form_page(variant="plain", query="", **form_values)`` makes a web form on the live
crmkit (``live_app`` served by ``live_server``) that allows this site, puts its snippet in a page
and returns an ``EmbeddedForm``: ``url`` (the page, with ``query`` such as
``"?utm_source=krisha"``), ``origin`` (the site, never crmkit's), ``token`` and ``snippet``.
Several calls share the one site, each on its own path.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from crmkit import db

PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>Агентство «Алтын Кілт»</title></head>
<body><h1>Оставьте заявку</h1>
{snippet}
</body></html>
"""


@dataclass(frozen=True)
class EmbeddedForm:
    url: str
    origin: str
    token: str
    snippet: str


class Site:
    """Pages by path, served on 127.0.0.1 (crmkit's live server answers on localhost: another
    origin by host and by port)."""

    def __init__(self):
        self.pages: dict[str, bytes] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"not here")

            def log_message(self, *_args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="embedding-site", daemon=True)
        self.thread.start()

    def publish(self, path: str, html: str) -> str:
        self.pages[path] = html.encode()
        return self.origin + path

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def embedded_form_page(live_app, live_server):
    from crmkit.core.intake_form import setup, snippet

    site = Site()
    made = []

    def embed(variant: str = "plain", query: str = "", **form_values) -> EmbeddedForm:
        given = {"name": "Site form", "language": "ru", "fields": ["name", "phone", "email", "request"],
                 "required": ["phone"], "allowed_origins": site.origin, "thank_you": "Спасибо! Мы перезвоним.",
                 "active": True, **form_values}
        with live_app.test_request_context(base_url=live_server.url):
            form = setup.save(db.session(), None, given)
            html = snippet.render(form, variant)
            token = form.token
        path = f"/{variant}-{len(made)}.html"
        made.append(path)
        return EmbeddedForm(site.publish(path, PAGE.format(snippet=html)) + query, site.origin, token, html)

    yield embed
    site.stop()
