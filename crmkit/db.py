"""The database: one engine per app, one session per request or command."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import ARRAY, Engine, any_, bindparam, create_engine, event, make_url
from sqlmodel import Session, SQLModel


def utcnow() -> datetime:
    """Timestamps are stored in UTC, with their time zone, and shown in the user's zone."""
    return datetime.now(UTC)


# Named constraints, so that migrations can drop and change them on every engine.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
}

MAX_ID = 2**31 - 1  # the largest id every supported engine keeps in an INTEGER key; past it, an id names nothing
SQLITE_PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=5000")


def among(column: Any, values: Any, dialect_name: str) -> Any:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:array)``: one parameter however many
    values, where thousands of parameters cost more to send and plan than the lookup itself (and
    a long list is planned, without statistics, as a scan of the whole table)."""
    if dialect_name == "postgresql":
        return column == any_(bindparam(f"{column.key}_values", list(values), type_=ARRAY(column.type), unique=True))
    return column.in_(list(values))


def normalise_url(url: str) -> str:
    """Accept the spellings hosting platforms hand out and pick psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def safe_url(url: str) -> str:
    """The URL with its password masked, fit for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def default_url(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "crmkit.sqlite3")


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "savepoint", _sqlite_begin_before_savepoint)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_begin_before_savepoint(connection, _name) -> None:
    """Open the transaction a SAVEPOINT belongs to. pysqlite begins one only before an INSERT,
    UPDATE or DELETE, so a savepoint taken first (``session.begin_nested()``) was itself the
    outermost transaction: releasing it committed, and a later rollback undid nothing."""
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    for pragma in SQLITE_PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


def init_app(app: Flask) -> None:
    url = app.config.get("DATABASE_URL") or default_url(app.instance_path)
    app.config["DATABASE_URL"] = normalise_url(url)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.extensions["crmkit.engine"] = make_engine(app.config["DATABASE_URL"])
    app.teardown_appcontext(_close_session)


def engine_of(app: Flask) -> Engine:
    return app.extensions["crmkit.engine"]


def engine() -> Engine:
    return engine_of(current_app)


def session() -> Session:
    """The session of the current request or command, closed when its app context ends."""
    if "crmkit_session" not in g:
        g.crmkit_session = Session(engine(), expire_on_commit=False)
    return g.crmkit_session


def streaming(chunks: Iterator[Any]) -> Iterator[Any]:
    """``chunks`` read through this request's session, for a streamed response.

    Flask ends the app context (and would close the session) when the view returns, before the
    stream is sent; so the stream takes the session out of the context's reach and closes it
    itself after the last chunk, giving its connection back.
    """
    db_session = g.pop("crmkit_session", None)

    def body() -> Iterator[Any]:
        try:
            yield from chunks
        finally:
            if db_session is not None:
                db_session.close()

    return body()


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("crmkit_session", None)
    if db_session is not None:
        db_session.close()
