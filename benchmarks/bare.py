"""The bare Flask app crmkit's pages are compared with over HTTP: no database, no login, no
plugins; one view rendering a list page of about the same size from a Jinja template (a layout
with navigation and a 50-row table), served by the same gunicorn with the same workers.

``gunicorn 'benchmarks.bare:app'``
"""

from __future__ import annotations

from flask import Flask, render_template
from jinja2 import DictLoader

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
{% endfor %}</tbody></table><a href="?after={{ rows[-1].id }}">Next</a>{% endblock %}"""

NAV = [{"href": f"/{name}/", "label": name.capitalize()} for name in ("person", "organization", "activity", "search", "myday")]
COLUMNS = ["", "Name", "Phone", "Email", "Position", "Segment"]
ROWS = [
    {"id": i, "name": f"Иванов Иван Иванович {i}", "phone": f"+7 701 123 {i:04d}", "email": f"i.ivanov{i}@mail.kz",
     "position": "Менеджер", "segment": "B: regular"}
    for i in range(1, 51)
]


def create_app() -> Flask:
    bare = Flask("bare")
    bare.jinja_loader = DictLoader({"layout.html": LAYOUT, "list.html": LIST})

    @bare.route("/")
    def people():
        return render_template("list.html", nav=NAV, columns=COLUMNS, rows=ROWS)

    return bare


app = create_app()
