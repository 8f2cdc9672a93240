"""the funnel's kept stays hold the deal's amount and when each stay ended

"Open deals as of a date" looked up each deal that might have been open then (the open ones and
every one closed since: ~37k of the benchmark's 1M deals) with one seek of its history for the
last move up to the moment, and then its row for the amount: 250 ms on SQLite and 368 ms on
PostgreSQL at 1M deals, whose planner read every deal to join them. A stay spans a moment when it
began at or before it and was not left by then, so with ``left_at`` (the stay's end, as
core_transition keeps it) and the deal's ``amount`` beside the columns the funnel already filters
by, the deals in a stage at a moment are two ranges of one index (``ix_pipelines_funnel_stay_held``:
the stays still there and those left after the moment) and no deal row is read.

The triggers of c7a1e2b3d4f6 are made again to copy the two columns: a stay's end sets both
``seconds`` and ``left_at``; a change of the deal's amount makes its rows again like its other
copied columns. The rows are made again from the history.

PostgreSQL's planner took the stays still there for a fifth of the table (a stage's share times
the share of ended stays; at 1M deals 206,743 estimated, 9,931 found) and read them with parallel
workers; statistics over (stage_id, left_at) together tell it how few they are (9,278 estimated),
and the plan is one index range per stage again: 40 -> 22 ms at 1M deals (EXPLAIN ANALYZE).

Revision ID: f2b3c4d5e6a7
Revises: e9f0a1b2c3d4
Create Date: 2026-12-07 23:00:00
"""
import importlib.util
from pathlib import Path
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision: str = 'f2b3c4d5e6a7'
down_revision: Union[str, Sequence[str], None] = 'e9f0a1b2c3d4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STAY_COLUMNS = ("id, deal_id, pipeline_id, stage_id, owner_id, source, at, left_at, seconds, created_at, amount, "
                "won_amount, currency")
COPIED = ("{t}.id, d.id, d.pipeline_id, CAST({t}.to_state AS INTEGER), d.owner_id, d.source, {t}.at, {t}.left_at, "
          "{t}.seconds, d.created_at, d.amount, d.won_amount, d.currency")
DEAL_WATCHED = ("pipeline_id", "owner_id", "source", "archived_at", "created_at", "amount", "won_amount", "currency")
MOVE_WATCHED = ("entity", "record_id", "to_state", "at")
ENDED = "UPDATE pipelines_funnel_stay SET seconds = NEW.seconds, left_at = NEW.left_at WHERE id = NEW.id;"
HELD = ['pipeline_id', 'stage_id', 'left_at', 'at', 'owner_id', 'source', 'amount', 'currency', 'deal_id']


def previous():
    """Revision c7a1e2b3d4f6's module: its triggers, dropped here and put back by the downgrade."""
    path = Path(__file__).with_name('c7a1e2b3d4f6_funnel_stays_and_won_totals.py')
    spec = importlib.util.spec_from_file_location('crmkit_funnel_stays_c7a1e2b3d4f6', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def copy_move(t: str) -> str:
    """The stay row of the transition ``t`` (NEW in a trigger), if it is an unarchived deal's."""
    return (f"INSERT INTO pipelines_funnel_stay ({STAY_COLUMNS}) SELECT {COPIED.format(t=t)} "
            f"FROM pipelines_deal d WHERE {t}.entity = 'deal' AND d.id = {t}.record_id AND d.archived_at IS NULL;")


def copy_deal(d: str) -> str:
    """The stay rows of every move of the deal ``d`` (NEW in a trigger), if it is unarchived."""
    return (f"INSERT INTO pipelines_funnel_stay ({STAY_COLUMNS}) SELECT {COPIED.format(t='t').replace('d.', d + '.')} "
            f"FROM core_transition t WHERE t.entity = 'deal' AND t.record_id = {d}.id AND {d}.archived_at IS NULL;")


def stay_sqlite_ddl() -> list[str]:
    moved = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in MOVE_WATCHED)
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in DEAL_WATCHED)
    return [
        f"CREATE TRIGGER pipelines_funnel_stay_move AFTER INSERT ON core_transition WHEN NEW.entity = 'deal' "
        f"BEGIN {copy_move('NEW')} END",
        "CREATE TRIGGER pipelines_funnel_stay_end AFTER UPDATE OF seconds, left_at ON core_transition "
        f"WHEN NEW.entity = 'deal' AND NOT ({moved}) BEGIN {ENDED} END",
        f"CREATE TRIGGER pipelines_funnel_stay_moved AFTER UPDATE OF {', '.join(MOVE_WATCHED)} ON core_transition WHEN {moved} "
        f"BEGIN DELETE FROM pipelines_funnel_stay WHERE id = OLD.id; {copy_move('NEW')} END",
        "CREATE TRIGGER pipelines_funnel_stay_unmoved AFTER DELETE ON core_transition WHEN OLD.entity = 'deal' "
        "BEGIN DELETE FROM pipelines_funnel_stay WHERE id = OLD.id; END",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_insert AFTER INSERT ON pipelines_deal BEGIN {copy_deal('NEW')} END",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_update AFTER UPDATE OF {', '.join(DEAL_WATCHED)} ON pipelines_deal "
        f"WHEN {changed} BEGIN DELETE FROM pipelines_funnel_stay WHERE deal_id = OLD.id; {copy_deal('NEW')} END",
        "CREATE TRIGGER pipelines_funnel_stay_deal_delete AFTER DELETE ON pipelines_deal "
        "BEGIN DELETE FROM pipelines_funnel_stay WHERE deal_id = OLD.id; END",
    ]


STAY_POSTGRES_MOVE = f"""
CREATE OR REPLACE FUNCTION pipelines_funnel_stay_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.entity, OLD.record_id, OLD.to_state, OLD.at) = (NEW.entity, NEW.record_id, NEW.to_state, NEW.at) THEN
        {ENDED}
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM pipelines_funnel_stay WHERE id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {copy_move('NEW')}
    END IF;
    RETURN NULL;
END
$$
"""
STAY_POSTGRES_DEAL = f"""
CREATE OR REPLACE FUNCTION pipelines_funnel_stay_deal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM pipelines_funnel_stay WHERE deal_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        {copy_deal('NEW')}
    END IF;
    RETURN NULL;
END
$$
"""


def stay_postgres_ddl() -> list[str]:
    old, new = (", ".join(f"{row}.{c}" for c in DEAL_WATCHED) for row in ("OLD", "NEW"))
    move, deal = "EXECUTE FUNCTION pipelines_funnel_stay_move()", "EXECUTE FUNCTION pipelines_funnel_stay_deal()"
    return [
        STAY_POSTGRES_MOVE,
        STAY_POSTGRES_DEAL,
        f"CREATE TRIGGER pipelines_funnel_stay_move AFTER INSERT ON core_transition FOR EACH ROW WHEN (NEW.entity = 'deal') {move}",
        f"CREATE TRIGGER pipelines_funnel_stay_moved AFTER UPDATE OF seconds, left_at, {', '.join(MOVE_WATCHED)} "
        f"ON core_transition FOR EACH ROW WHEN (NEW.entity = 'deal' OR OLD.entity = 'deal') {move}",
        f"CREATE TRIGGER pipelines_funnel_stay_unmoved AFTER DELETE ON core_transition FOR EACH ROW WHEN (OLD.entity = 'deal') {move}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_insert AFTER INSERT ON pipelines_deal FOR EACH ROW {deal}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_update AFTER UPDATE OF {', '.join(DEAL_WATCHED)} ON pipelines_deal "
        f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) {deal}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_delete AFTER DELETE ON pipelines_deal FOR EACH ROW {deal}",
    ]


def drop_triggers(dialect: str) -> None:
    for name, table in previous().STAY_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else ""))


def rebuild(columns: str, copied: str) -> None:
    op.execute("DELETE FROM pipelines_funnel_stay")
    op.execute(f"INSERT INTO pipelines_funnel_stay ({columns}) SELECT {copied.format(t='t')} FROM core_transition t "
               "JOIN pipelines_deal d ON d.id = t.record_id WHERE t.entity = 'deal' AND d.archived_at IS NULL")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    drop_triggers(dialect)
    op.add_column('pipelines_funnel_stay', sa.Column('left_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.add_column('pipelines_funnel_stay', sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True))
    rebuild(STAY_COLUMNS, COPIED)
    for statement in stay_postgres_ddl() if dialect == "postgresql" else stay_sqlite_ddl():
        op.execute(statement)
    op.create_index('ix_pipelines_funnel_stay_held', 'pipelines_funnel_stay', HELD, unique=False)
    if dialect == "postgresql":
        op.execute("CREATE STATISTICS pipelines_funnel_stay_held (mcv) ON stage_id, left_at FROM pipelines_funnel_stay")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    before = previous()
    if dialect == "postgresql":
        op.execute("DROP STATISTICS IF EXISTS pipelines_funnel_stay_held")
    op.drop_index('ix_pipelines_funnel_stay_held', table_name='pipelines_funnel_stay')
    drop_triggers(dialect)
    with op.batch_alter_table('pipelines_funnel_stay') as batch:
        batch.drop_column('amount')
        batch.drop_column('left_at')
    rebuild(before.STAY_COLUMNS, before.COPIED)
    if dialect == "postgresql":
        before.STAY_POSTGRES_MOVE, before.STAY_POSTGRES_DEAL = (
            ddl.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION") for ddl in (before.STAY_POSTGRES_MOVE, before.STAY_POSTGRES_DEAL))
    for statement in before.stay_postgres_ddl() if dialect == "postgresql" else before.stay_sqlite_ddl():
        op.execute(statement)
