"""deal totals kept by triggers

pipelines_deal_total holds, per stage, UTC day of closing (0: open), owner (0: none) and
currency, the number of unarchived deals, how many have an amount, the amount in cents, the cents
of deals weighted by their stage's probability and the cents times a deal's own probability. A
board's column totals read it instead of summing the deals (crmkit/core/pipelines/totals.py).
Triggers on pipelines_deal keep it in every writing statement's own transaction; the rows of the
deals that exist are made here.

Revision ID: b1c2d3e4f5a6
Revises: a7b8c9d0e1f2
Create Date: 2026-12-07 09:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'b1c2d3e4f5a6'
down_revision: Union[str, Sequence[str], None] = 'a7b8c9d0e1f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

WATCHED = ("stage_id", "owner_id", "currency", "amount", "probability", "closed_at", "archived_at")
COLUMNS = "stage_id, day, owner_id, currency, deals, amounts, amount, unweighted, weighted"
SQLITE_DAY = "CASE WHEN {r}.closed_at IS NULL THEN 0 ELSE CAST(julianday(substr({r}.closed_at, 1, 10)) - 2440587.5 AS INTEGER) END"
SQLITE_CENTS = "coalesce(CAST(round({r}.amount * 100) AS INTEGER), 0)"
POSTGRES_DAY = "coalesce(CAST(timezone('UTC', {r}closed_at) AS date) - DATE '1970-01-01', 0)"
POSTGRES_CENTS = "coalesce(CAST(round({r}amount * 100) AS bigint), 0)"
SUMS = ("ON CONFLICT (stage_id, day, owner_id, currency) DO UPDATE SET deals = t.deals + excluded.deals, "
        "amounts = t.amounts + excluded.amounts, amount = t.amount + excluded.amount, "
        "unweighted = t.unweighted + excluded.unweighted, weighted = t.weighted + excluded.weighted")


def sqlite_upsert(row: str, sign: int) -> str:
    cents = SQLITE_CENTS.format(r=row)
    return (
        f"INSERT INTO pipelines_deal_total ({COLUMNS}) "
        f"SELECT {row}.stage_id, {SQLITE_DAY.format(r=row)}, coalesce({row}.owner_id, 0), {row}.currency, {sign}, "
        f"{sign} * ({row}.amount IS NOT NULL), {sign} * {cents}, "
        f"{sign} * (CASE WHEN {row}.probability IS NULL THEN {cents} ELSE 0 END), {sign} * {cents} * coalesce({row}.probability, 0) "
        f"WHERE {row}.archived_at IS NULL {SUMS.replace('t.', 'pipelines_deal_total.')};"  # no alias in a trigger
    )


def sqlite_ddl() -> list[str]:
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)
    return [
        f"CREATE TRIGGER pipelines_deal_total_insert AFTER INSERT ON pipelines_deal BEGIN {sqlite_upsert('NEW', 1)} END",
        f"CREATE TRIGGER pipelines_deal_total_update AFTER UPDATE OF {', '.join(WATCHED)} ON pipelines_deal WHEN {changed} "
        f"BEGIN {sqlite_upsert('OLD', -1)} {sqlite_upsert('NEW', 1)} END",
        f"CREATE TRIGGER pipelines_deal_total_delete AFTER DELETE ON pipelines_deal BEGIN {sqlite_upsert('OLD', -1)} END",
    ]


POSTGRES_ADD = f"""
CREATE FUNCTION pipelines_deal_total_add(p_stage integer, p_day integer, p_owner integer, p_currency varchar,
                                         p_amount numeric, p_probability integer, p_sign integer) RETURNS void
LANGUAGE sql AS $$
INSERT INTO pipelines_deal_total AS t ({COLUMNS})
VALUES (p_stage, p_day, coalesce(p_owner, 0), p_currency, p_sign, CASE WHEN p_amount IS NULL THEN 0 ELSE p_sign END,
        p_sign * {POSTGRES_CENTS.format(r="p_")},
        CASE WHEN p_probability IS NULL THEN p_sign * {POSTGRES_CENTS.format(r="p_")} ELSE 0 END,
        p_sign * {POSTGRES_CENTS.format(r="p_")} * coalesce(p_probability, 0))
{SUMS}
$$
"""
POSTGRES_KEEP = f"""
CREATE FUNCTION pipelines_deal_total_keep() RETURNS trigger LANGUAGE plpgsql AS $$
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
            PERFORM pipelines_deal_total_add(NEW.stage_id, new_day, NEW.owner_id, NEW.currency, NEW.amount, NEW.probability, 1);
        END IF;
        IF OLD.archived_at IS NULL THEN
            PERFORM pipelines_deal_total_add(OLD.stage_id, old_day, OLD.owner_id, OLD.currency, OLD.amount, OLD.probability, -1);
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.archived_at IS NULL THEN
        PERFORM pipelines_deal_total_add(OLD.stage_id, old_day, OLD.owner_id, OLD.currency, OLD.amount, OLD.probability, -1);
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.archived_at IS NULL THEN
        PERFORM pipelines_deal_total_add(NEW.stage_id, new_day, NEW.owner_id, NEW.currency, NEW.amount, NEW.probability, 1);
    END IF;
    RETURN NULL;
END
$$
"""


def postgres_ddl() -> list[str]:
    old = ", ".join(f"OLD.{c}" for c in WATCHED)
    new = ", ".join(f"NEW.{c}" for c in WATCHED)
    keep = "EXECUTE FUNCTION pipelines_deal_total_keep()"
    run = f"FOR EACH ROW {keep}"
    return [
        POSTGRES_ADD,
        POSTGRES_KEEP,
        f"CREATE TRIGGER pipelines_deal_total_insert AFTER INSERT ON pipelines_deal {run}",
        f"CREATE TRIGGER pipelines_deal_total_update AFTER UPDATE OF {', '.join(WATCHED)} ON pipelines_deal "
        f"FOR EACH ROW WHEN (({old}) IS DISTINCT FROM ({new})) {keep}",
        f"CREATE TRIGGER pipelines_deal_total_delete AFTER DELETE ON pipelines_deal {run}",
    ]


def backfill(dialect: str) -> str:
    if dialect == "postgresql":
        day, cents = POSTGRES_DAY.format(r=""), POSTGRES_CENTS.format(r="")
    else:
        day, cents = SQLITE_DAY.format(r="pipelines_deal"), SQLITE_CENTS.format(r="pipelines_deal")
    return (
        f"INSERT INTO pipelines_deal_total ({COLUMNS}) "
        f"SELECT stage_id, {day}, coalesce(owner_id, 0), currency, count(*), count(amount), sum({cents}), "
        f"sum(CASE WHEN probability IS NULL THEN {cents} ELSE 0 END), sum({cents} * coalesce(probability, 0)) "
        f"FROM pipelines_deal WHERE archived_at IS NULL GROUP BY stage_id, {day}, coalesce(owner_id, 0), currency"
    )


def upgrade() -> None:
    op.create_table('pipelines_deal_total',
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('deals', sa.BigInteger(), nullable=False),
    sa.Column('amounts', sa.BigInteger(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('unweighted', sa.BigInteger(), nullable=False),
    sa.Column('weighted', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('stage_id', 'day', 'owner_id', 'currency')
    )
    dialect = op.get_bind().dialect.name
    op.execute(backfill(dialect))
    for statement in postgres_ddl() if dialect == "postgresql" else sqlite_ddl():
        op.execute(statement)


def downgrade() -> None:
    for action in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS pipelines_deal_total_{action}" + (" ON pipelines_deal" if op.get_bind().dialect.name == "postgresql" else ""))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS pipelines_deal_total_keep()")
        op.execute("DROP FUNCTION IF EXISTS pipelines_deal_total_add(integer, integer, integer, varchar, numeric, integer, integer)")
        # c7a1e2b3d4f6 replaced it by one taking the won amount too, which its downgrade keeps
        op.execute("DROP FUNCTION IF EXISTS pipelines_deal_total_add(integer, integer, integer, varchar, numeric, integer, numeric, integer)")
    op.drop_table('pipelines_deal_total')
