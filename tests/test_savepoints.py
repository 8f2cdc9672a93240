"""A savepoint is part of the transaction around it on every engine, also when it comes first."""

from sqlalchemy import text
from sqlalchemy.orm import Session

from crmkit.db import make_engine


def engine_with_table(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/savepoints.sqlite3")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
    return engine


def count(engine):
    with Session(engine) as session:
        return session.execute(text("SELECT count(*) FROM t")).scalar()


def test_a_rollback_undoes_a_savepoint_that_was_the_first_write(tmp_path):
    engine = engine_with_table(tmp_path)
    with Session(engine) as session:
        with session.begin_nested():
            session.execute(text("INSERT INTO t VALUES (1)"))
        session.rollback()
    assert count(engine) == 0


def test_a_commit_keeps_the_writes_before_and_inside_a_savepoint(tmp_path):
    engine = engine_with_table(tmp_path)
    with Session(engine) as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        with session.begin_nested():
            session.execute(text("INSERT INTO t VALUES (2)"))
        session.commit()
    assert count(engine) == 2
