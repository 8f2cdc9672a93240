"""indexes for one source's leads, the lead queue and automation's time triggers

The lead list filtered by source (``source_id = ? AND archived_at IS NULL ORDER BY id DESC``) had
only ``source_id`` indexed: each page and its capped count read the source's rows from the table
to check ``archived_at`` (a fifth of a million at 1M leads). (source_id, id) over the live leads
(a partial index: PostgreSQL keeps the order by id after ``source_id = ?`` but not after an
``archived_at IS NULL`` column) hands them over in order from the index alone, and replaces
``ix_leads_lead_source_id``. The same for the unsorted queue and the list by status
(``status = 'new' ... ORDER BY id``): with (status, archived_at, id) PostgreSQL at 1M leads walked
the primary key instead, through every lead older or newer than the 2,000 new ones (26k buffers,
0.95 s); (status, id) over the live leads hands them over in order.

Automation's "idle for N days" trigger (and "a date reached" on ``updated_at``) asks every five
minutes for the live records whose ``updated_at`` entered a window, ``ORDER BY updated_at, id``
in batches; without an index both engines read the whole table each time. (updated_at, id) on
every core entity table makes it a range read of the window.

Revision ID: c7a1e2b3d4f8
Revises: a0b1c2d3e4f5
Create Date: 2026-12-07 16:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = 'c7a1e2b3d4f8'
down_revision: Union[str, Sequence[str], None] = "a0b1c2d3e4f5"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

LIVE = sa.text("archived_at IS NULL")
INDEXES = (
    ("ix_leads_lead_updated", "leads_lead", ["updated_at", "id"]),
    ("ix_contacts_person_updated", "contacts_person", ["updated_at", "id"]),
    ("ix_contacts_organization_updated", "contacts_organization", ["updated_at", "id"]),
    ("ix_activity_updated", "activity", ["updated_at", "id"]),
    ("ix_pipelines_deal_updated", "pipelines_deal", ["updated_at", "id"]),
)


def upgrade() -> None:
    op.create_index("ix_leads_lead_source_list", "leads_lead", ["source_id", "id"], sqlite_where=LIVE, postgresql_where=LIVE)
    op.drop_index("ix_leads_lead_source_id", table_name="leads_lead")
    op.drop_index("ix_leads_lead_queue", table_name="leads_lead")
    op.create_index("ix_leads_lead_queue", "leads_lead", ["status", "id"], sqlite_where=LIVE, postgresql_where=LIVE)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in INDEXES:
        op.drop_index(name, table_name=table)
    op.drop_index("ix_leads_lead_queue", table_name="leads_lead")
    op.create_index("ix_leads_lead_queue", "leads_lead", ["status", "archived_at", "id"])
    op.create_index("ix_leads_lead_source_id", "leads_lead", ["source_id"])
    op.drop_index("ix_leads_lead_source_list", table_name="leads_lead")
