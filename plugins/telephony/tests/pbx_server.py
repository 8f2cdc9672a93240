"""A stand-in for a PBX's HTTP API: a real HTTP server on port 0 in a thread, answering each path
with the JSON a test gives it and keeping every request it got, so the adapters' requests are
checked as they went over the wire."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest


class PbxServer:
    def __init__(self):
        self.answers: dict[str, tuple[int, object]] = {}
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def answer(self):
                parts = urlsplit(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                outer.requests.append({"method": self.command, "path": parts.path, "query": parts.query,
                                       "args": parse_qs(parts.query), "form": parse_qs(body), "headers": dict(self.headers)})
                status, payload = outer.answers.get(parts.path, (404, {"status": "error", "message": "no such method"}))
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def pbx_server():
    server = PbxServer()
    yield server
    server.close()
