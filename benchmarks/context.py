"""What a measurement gets: one engine, one size, the populated database, the app and its
logged-in clients, and helpers that time pages (server time) and raw SQL the same way."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import text

from benchmarks import core, world
from benchmarks.data import Dataset
from crmkit import db


@dataclass
class Settings:
    """The knobs of one run; ``quick`` is the smoke run: few samples, short HTTP runs."""

    rounds: int = 3
    samples: int = 20  # distinct inputs (queries, records) per case
    http_seconds: float = 10.0
    import_rows: int = 20_000
    postgres_url: str | None = None
    quick: bool = False
    threads: int = 4  # load generator connections


@dataclass
class Context:
    engine: str
    size: int
    database: world.Database
    app: Flask
    data: Dataset
    settings: Settings
    first: bool = True  # the run's smallest size: once-per-engine measurements (import) run here
    clients: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # measurements may leave things for later ones

    def client(self, email: str = world.ADMIN_EMAIL):
        if email not in self.clients:
            self.clients[email] = world.logged_in_client(self.app, email)
        return self.clients[email]

    @property
    def agent_email(self) -> str:
        return "agent1@example.com"

    # timing
    def server_times(self, urls: list[str], client=None, headers: dict[str, str] | None = None) -> list[float]:
        """Seconds per request of each URL through the app (WSGI, no network), ``rounds`` times."""
        client = client or self.client()

        def get(url: str) -> None:
            response = client.get(url, headers=headers or {})
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            response.get_data()

        return core.sample(get, urls, self.settings.rounds)

    def sql_times(self, pages: list[list[tuple[str, dict[str, Any]]]]) -> list[float]:
        """Seconds per page of raw SQL: each item is the statements (named ``:params``) one page
        runs, every row fetched, through the DB-API connection alone."""
        engine = db.engine_of(self.app)
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()

            def run(statements: list[tuple[str, dict[str, Any]]]) -> None:
                for sql, params in statements:
                    cursor.execute(*self.dbapi(sql, params))
                    cursor.fetchall()

            return core.sample(run, pages, self.settings.rounds)
        finally:
            connection.close()

    def dbapi(self, sql: str, params: dict[str, Any]) -> tuple[str, Any]:
        """``:name`` parameters in the driver's own style (sqlite3: ``:name``, psycopg: ``%(name)s``)."""
        if self.engine == "postgresql":
            compiled = text(sql).compile(dialect=db.engine_of(self.app).dialect)
            return str(compiled), params
        return sql, params

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.app.app_context():
            return db.session().execute(text(sql), params).scalar()

    def row(self, measurement: str, case: str, figures: dict[str, float], **fields: Any) -> core.Row:
        return core.Row(measurement, case, self.engine, self.size, figures, **fields)

    def timed(self, call: Callable[[], Any]) -> tuple[float, Any]:
        began = time.perf_counter()
        result = call()
        return time.perf_counter() - began, result
