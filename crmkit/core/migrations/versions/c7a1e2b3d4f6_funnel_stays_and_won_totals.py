"""funnel stays and won totals kept by triggers

pipelines_funnel_stay copies every move of an unarchived deal with the deal's columns the sales
funnel filters and sums by (crmkit/core/pipelines/reports/stays.py), so a period's funnel reads one
index range per stage and no deal row. Triggers on core_transition (a move, the previous stay's
end, a delete) and on pipelines_deal (owner, source, pipeline, amount won, archive, delete) keep it
in the writing statement's transaction; the rows of the history that exists are made here.

core_transition loses ix_core_transition_entries (entity, to_state, at, record_id, seconds), which
only the funnel read.

activity gains ix_activity_recent_about (time, archived, what it is about): the clients without
activity are those not among the last N days' activities, read from it alone.

pipelines_deal_total gains ``won``: the final amounts in cents, so plan and fact sums kept days of
won deals per owner and currency instead of the deals themselves; its triggers are made again to
keep it, and its rows rebuilt.

Revision ID: c7a1e2b3d4f6
Revises: a0b1c2d3e4f5
Create Date: 2026-12-07 16:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'c7a1e2b3d4f6'
down_revision: Union[str, Sequence[str], None] = 'a0b1c2d3e4f5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# --- pipelines_funnel_stay ---
STAY_COLUMNS = "id, deal_id, pipeline_id, stage_id, owner_id, source, at, seconds, created_at, won_amount, currency"
COPIED = ("{t}.id, d.id, d.pipeline_id, CAST({t}.to_state AS INTEGER), d.owner_id, d.source, {t}.at, {t}.seconds, "
          "d.created_at, d.won_amount, d.currency")
DEAL_WATCHED = ("pipeline_id", "owner_id", "source", "archived_at", "created_at", "won_amount", "currency")
MOVE_WATCHED = ("entity", "record_id", "to_state", "at")


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
        "CREATE TRIGGER pipelines_funnel_stay_end AFTER UPDATE OF seconds ON core_transition "
        f"WHEN NEW.entity = 'deal' AND NOT ({moved}) "
        "BEGIN UPDATE pipelines_funnel_stay SET seconds = NEW.seconds WHERE id = NEW.id; END",
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
CREATE FUNCTION pipelines_funnel_stay_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.entity, OLD.record_id, OLD.to_state, OLD.at) = (NEW.entity, NEW.record_id, NEW.to_state, NEW.at) THEN
        UPDATE pipelines_funnel_stay SET seconds = NEW.seconds WHERE id = NEW.id;
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
CREATE FUNCTION pipelines_funnel_stay_deal() RETURNS trigger LANGUAGE plpgsql AS $$
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
        f"CREATE TRIGGER pipelines_funnel_stay_moved AFTER UPDATE OF seconds, {', '.join(MOVE_WATCHED)} ON core_transition "
        f"FOR EACH ROW WHEN (NEW.entity = 'deal' OR OLD.entity = 'deal') {move}",
        f"CREATE TRIGGER pipelines_funnel_stay_unmoved AFTER DELETE ON core_transition FOR EACH ROW WHEN (OLD.entity = 'deal') {move}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_insert AFTER INSERT ON pipelines_deal FOR EACH ROW {deal}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_update AFTER UPDATE OF {', '.join(DEAL_WATCHED)} ON pipelines_deal "
        f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) {deal}",
        f"CREATE TRIGGER pipelines_funnel_stay_deal_delete AFTER DELETE ON pipelines_deal FOR EACH ROW {deal}",
    ]


STAY_TRIGGERS = (("pipelines_funnel_stay_move", "core_transition"), ("pipelines_funnel_stay_end", "core_transition"),
                 ("pipelines_funnel_stay_moved", "core_transition"), ("pipelines_funnel_stay_unmoved", "core_transition"),
                 ("pipelines_funnel_stay_deal_insert", "pipelines_deal"), ("pipelines_funnel_stay_deal_update", "pipelines_deal"),
                 ("pipelines_funnel_stay_deal_delete", "pipelines_deal"))

# --- pipelines_deal_total with won ---
WATCHED = ("stage_id", "owner_id", "currency", "amount", "probability", "closed_at", "archived_at", "won_amount")
TOTAL_COLUMNS = "stage_id, day, owner_id, currency, deals, amounts, amount, unweighted, weighted, won"
SQLITE_DAY = "CASE WHEN {r}.closed_at IS NULL THEN 0 ELSE CAST(julianday(substr({r}.closed_at, 1, 10)) - 2440587.5 AS INTEGER) END"
SQLITE_CENTS = "coalesce(CAST(round({r}.{c} * 100) AS INTEGER), 0)"
POSTGRES_DAY = "coalesce(CAST(timezone('UTC', {r}closed_at) AS date) - DATE '1970-01-01', 0)"
POSTGRES_CENTS = "coalesce(CAST(round({r}{c} * 100) AS bigint), 0)"
SUMS = ("ON CONFLICT (stage_id, day, owner_id, currency) DO UPDATE SET deals = t.deals + excluded.deals, "
        "amounts = t.amounts + excluded.amounts, amount = t.amount + excluded.amount, "
        "unweighted = t.unweighted + excluded.unweighted, weighted = t.weighted + excluded.weighted, won = t.won + excluded.won")


def total_sqlite_upsert(row: str, sign: int) -> str:
    cents, won = SQLITE_CENTS.format(r=row, c="amount"), SQLITE_CENTS.format(r=row, c="won_amount")
    return (
        f"INSERT INTO pipelines_deal_total ({TOTAL_COLUMNS}) "
        f"SELECT {row}.stage_id, {SQLITE_DAY.format(r=row)}, coalesce({row}.owner_id, 0), {row}.currency, {sign}, "
        f"{sign} * ({row}.amount IS NOT NULL), {sign} * {cents}, "
        f"{sign} * (CASE WHEN {row}.probability IS NULL THEN {cents} ELSE 0 END), {sign} * {cents} * coalesce({row}.probability, 0), "
        f"{sign} * {won} "
        f"WHERE {row}.archived_at IS NULL {SUMS.replace('t.', 'pipelines_deal_total.')};"  # no alias in a trigger
    )


def total_sqlite_ddl() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    return [
        f"CREATE TRIGGER pipelines_deal_total_insert AFTER INSERT ON pipelines_deal BEGIN {total_sqlite_upsert('NEW', 1)} END",
        f"CREATE TRIGGER pipelines_deal_total_update AFTER UPDATE OF {', '.join(WATCHED)} ON pipelines_deal WHEN {changed} "
        f"BEGIN {total_sqlite_upsert('OLD', -1)} {total_sqlite_upsert('NEW', 1)} END",
        f"CREATE TRIGGER pipelines_deal_total_delete AFTER DELETE ON pipelines_deal BEGIN {total_sqlite_upsert('OLD', -1)} END",
    ]


def postgres_cents(column: str) -> str:
    return POSTGRES_CENTS.format(r="p_", c=column)


TOTAL_POSTGRES_ADD = f"""
CREATE OR REPLACE FUNCTION pipelines_deal_total_add(p_stage integer, p_day integer, p_owner integer, p_currency varchar,
                                         p_amount numeric, p_probability integer, p_won_amount numeric, p_sign integer)
RETURNS void LANGUAGE sql AS $$
INSERT INTO pipelines_deal_total AS t ({TOTAL_COLUMNS})
VALUES (p_stage, p_day, coalesce(p_owner, 0), p_currency, p_sign, CASE WHEN p_amount IS NULL THEN 0 ELSE p_sign END,
        p_sign * {postgres_cents("amount")},
        CASE WHEN p_probability IS NULL THEN p_sign * {postgres_cents("amount")} ELSE 0 END,
        p_sign * {postgres_cents("amount")} * coalesce(p_probability, 0),
        p_sign * {postgres_cents("won_amount")})
{SUMS}
$$
"""
ADD = "PERFORM pipelines_deal_total_add({r}.stage_id, {day}, {r}.owner_id, {r}.currency, {r}.amount, {r}.probability, {r}.won_amount, {sign});"
TOTAL_POSTGRES_KEEP = f"""
CREATE OR REPLACE FUNCTION pipelines_deal_total_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_day integer;
    new_day integer;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_day := {POSTGRES_DAY.format(r="OLD.")};
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_day := {POSTGRES_DAY.format(r="NEW.")};
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.stage_id, new_day, coalesce(NEW.owner_id, 0), NEW.currency)
                            < (OLD.stage_id, old_day, coalesce(OLD.owner_id, 0), OLD.currency) THEN
        -- the lower key first, always: two moves crossing each other take the rows in one order
        IF NEW.archived_at IS NULL THEN
            {ADD.format(r="NEW", day="new_day", sign=1)}
        END IF;
        IF OLD.archived_at IS NULL THEN
            {ADD.format(r="OLD", day="old_day", sign=-1)}
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.archived_at IS NULL THEN
        {ADD.format(r="OLD", day="old_day", sign=-1)}
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.archived_at IS NULL THEN
        {ADD.format(r="NEW", day="new_day", sign=1)}
    END IF;
    RETURN NULL;
END
$$
"""


def total_postgres_ddl() -> list[str]:
    old, new = (", ".join(f"{row}.{c}" for c in WATCHED) for row in ("OLD", "NEW"))
    return [
        "DROP FUNCTION IF EXISTS pipelines_deal_total_add(integer, integer, integer, varchar, numeric, integer, integer)",
        TOTAL_POSTGRES_ADD,
        TOTAL_POSTGRES_KEEP,
        f"CREATE TRIGGER pipelines_deal_total_update AFTER UPDATE OF {', '.join(WATCHED)} ON pipelines_deal "
        f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) EXECUTE FUNCTION pipelines_deal_total_keep()",
    ]


def total_backfill(dialect: str) -> str:
    if dialect == "postgresql":
        day, cents, won = POSTGRES_DAY.format(r=""), POSTGRES_CENTS.format(r="", c="amount"), POSTGRES_CENTS.format(r="", c="won_amount")
    else:
        day = SQLITE_DAY.format(r="pipelines_deal")
        cents, won = SQLITE_CENTS.format(r="pipelines_deal", c="amount"), SQLITE_CENTS.format(r="pipelines_deal", c="won_amount")
    return (
        f"INSERT INTO pipelines_deal_total ({TOTAL_COLUMNS}) "
        f"SELECT stage_id, {day}, coalesce(owner_id, 0), currency, count(*), count(amount), sum({cents}), "
        f"sum(CASE WHEN probability IS NULL THEN {cents} ELSE 0 END), sum({cents} * coalesce(probability, 0)), sum({won}) "
        f"FROM pipelines_deal WHERE archived_at IS NULL GROUP BY stage_id, {day}, coalesce(owner_id, 0), currency"
    )


def drop_trigger(name: str, table: str, dialect: str) -> None:
    op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if dialect == "postgresql" else ""))


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table('pipelines_funnel_stay',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('seconds', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('won_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_pipelines_funnel_stay_deal_id', 'pipelines_funnel_stay', ['deal_id'], unique=False)
    op.create_index('ix_pipelines_funnel_stay_entries', 'pipelines_funnel_stay',
                    ['pipeline_id', 'stage_id', 'at', 'owner_id', 'source', 'seconds', 'deal_id', 'created_at', 'won_amount', 'currency'],
                    unique=False)
    op.execute(f"INSERT INTO pipelines_funnel_stay ({STAY_COLUMNS}) SELECT {COPIED.format(t='t')} "
               "FROM core_transition t JOIN pipelines_deal d ON d.id = t.record_id WHERE t.entity = 'deal' AND d.archived_at IS NULL")
    for statement in stay_postgres_ddl() if dialect == "postgresql" else stay_sqlite_ddl():
        op.execute(statement)

    for action in ("insert", "update", "delete") if dialect == "sqlite" else ("update",):
        drop_trigger(f"pipelines_deal_total_{action}", "pipelines_deal", dialect)
    op.add_column('pipelines_deal_total', sa.Column('won', sa.BigInteger(), nullable=False, server_default='0'))
    op.execute("DELETE FROM pipelines_deal_total")
    op.execute(total_backfill(dialect))
    for statement in total_postgres_ddl() if dialect == "postgresql" else total_sqlite_ddl():
        op.execute(statement)
    op.create_index('ix_activity_recent_about', 'activity', ['happened_at', 'archived_at', 'about_entity', 'about_id'], unique=False)
    # the funnel no longer reads core_transition by stage and time: one index less for every move to keep
    op.drop_index('ix_core_transition_entries', table_name='core_transition')


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index('ix_activity_recent_about', table_name='activity')
    op.create_index('ix_core_transition_entries', 'core_transition', ['entity', 'to_state', 'at', 'record_id', 'seconds'], unique=False)
    for name, table in STAY_TRIGGERS:
        drop_trigger(name, table, dialect)
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS pipelines_funnel_stay_move()")
        op.execute("DROP FUNCTION IF EXISTS pipelines_funnel_stay_deal()")
    op.drop_index('ix_pipelines_funnel_stay_entries', table_name='pipelines_funnel_stay')
    op.drop_index('ix_pipelines_funnel_stay_deal_id', table_name='pipelines_funnel_stay')
    op.drop_table('pipelines_funnel_stay')
    # pipelines_deal_total keeps its won column and triggers: the totals it holds stay exact
