"""The bare Flask apps crmkit's pages are compared with over HTTP, served by the same gunicorn
with the same workers: no ORM, no login, no plugins, no translations.

- ``/person/``: the people list's first page, read from the benchmark's own database with the
  driver alone (sqlite3 or psycopg, one connection per worker) by the same SQL crmkit's list
  runs, rendered from a Jinja template of about the same size (a layout with navigation and a
  50-row table). This is the least any Flask app showing that page must do, the baseline of the
  HTTP target.
- ``/``: the same template over 50 constant rows, no database: Flask and gunicorn alone.

``CRMKIT_BENCH_DATABASE_URL=... gunicorn 'benchmarks.bare:app'``
"""

from __future__ import annotations

import os
import sqlite3
import threading

from flask import Flask, render_template
from jinja2 import DictLoader
from sqlalchemy import make_url

LAYOUT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %}</title>
<link rel="stylesheet" href="/static/app.css"></head>
<body><nav>{% for item in nav %}<a href="{{ item.href }}">{{ item.label }}</a> {% endfor %}</nav>
<main>{% block main %}{% endblock %}</main></body></html>"""

LIST = """{% extends "layout.html" %}{% block title %}People{% endblock %}{% block main %}
<h1>People</h1><form method="get"><input name="q" value=""><button>Filter</button></form>
<table><thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead><tbody>
{% for row in rows %}<tr><td><input type="checkbox" name="ids" value="{{ row.id }}"></td>
<td><a href="/person/{{ row.id }}">{{ row.name }}</a></td><td>{{ row.phone }}</td><td>{{ row.email }}</td>
<td>{{ row.position }}</td><td>{{ row.segment }}</td></tr>
{% endfor %}</tbody></table><a href="?after={{ rows[-1].id if rows else '' }}">Next</a>{% endblock %}"""

NAV = [{"href": f"/{name}/", "label": name.capitalize()} for name in ("person", "organization", "activity", "search", "myday")]
COLUMNS = ["", "Name", "Phone", "Email", "Position", "Segment"]
ROWS = [
    {"id": i, "name": f"Иванов Иван Иванович {i}", "phone": f"+7 701 123 {i:04d}", "email": f"i.ivanov{i}@mail.kz",
     "position": "Менеджер", "segment": "B: regular"}
    for i in range(1, 51)
]
PAGE_SQL = ("SELECT id, name, phone, email, position, segment FROM contacts_person WHERE archived_at IS NULL "
            "ORDER BY name, id LIMIT 51")


class Rows:
    """The first page of people, by the driver alone; one connection per worker process."""

    def __init__(self, url: str | None):
        self.url = make_url(url) if url else None
        self.local = threading.local()

    def connection(self):
        if getattr(self.local, "connection", None) is None:
            if self.url.get_backend_name() == "sqlite":
                self.local.connection = sqlite3.connect(self.url.database)
            else:
                import psycopg

                self.local.connection = psycopg.connect(self.url.set(drivername="postgresql").render_as_string(hide_password=False),
                                                        autocommit=True)
        return self.local.connection

    def page(self) -> list[dict]:
        cursor = self.connection().execute(PAGE_SQL)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()[:50]]


def create_app(url: str | None = None) -> Flask:
    bare = Flask("bare")
    bare.jinja_loader = DictLoader({"layout.html": LAYOUT, "list.html": LIST})
    rows = Rows(url)

    @bare.route("/")
    def constant():
        return render_template("list.html", nav=NAV, columns=COLUMNS, rows=ROWS)

    @bare.route("/person/")
    def people():
        return render_template("list.html", nav=NAV, columns=COLUMNS, rows=rows.page())

    return bare


app = create_app(os.environ.get("CRMKIT_BENCH_DATABASE_URL"))
