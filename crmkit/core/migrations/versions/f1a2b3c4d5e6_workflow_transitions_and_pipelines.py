"""workflow transitions and pipelines

core_transition stores every move of a record through its workflow (from, to, who, when), so time
in a state is a query. The pipelines_* tables hold configurable pipelines and their stages, deals,
their people, competitors and line items, the price list and the reasons deals are lost.

Revision ID: f1a2b3c4d5e6
Revises: 8b3f0c6d2a71
Create Date: 2026-12-07 06:21:30.858488
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'f1a2b3c4d5e6'
down_revision: Union[str, Sequence[str], None] = '8b3f0c6d2a71'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('pipelines_loss_reason',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('pipelines_price_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipelines_price_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_price_item_name'), ['name'], unique=False)

    op.create_table('pipelines_pipeline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['core_department.id'], name=op.f('fk_pipelines_pipeline_department_id_core_department')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipelines_pipeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_pipeline_department_id'), ['department_id'], unique=False)

    op.create_table('core_transition',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('field', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['core_user.id'], name=op.f('fk_core_transition_user_id_core_user')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('core_transition', schema=None) as batch_op:
        batch_op.create_index('ix_core_transition_record', ['entity', 'record_id', 'at'], unique=False)
        batch_op.create_index('ix_core_transition_state', ['entity', 'to_state', 'at'], unique=False)

    op.create_table('pipelines_stage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('names', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=False),
    sa.Column('color', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('rot_days', sa.Integer(), nullable=True),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines_pipeline.id'], name=op.f('fk_pipelines_stage_pipeline_id_pipelines_pipeline')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipelines_stage', schema=None) as batch_op:
        batch_op.create_index('ix_pipelines_stage_order', ['pipeline_id', 'position'], unique=False)

    op.create_table('pipelines_deal',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('pipeline_id', sa.Integer(), nullable=False),
    sa.Column('stage_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', sqlmodel.sql.sqltypes.AutoString(length=3), nullable=False),
    sa.Column('probability', sa.Integer(), nullable=True),
    sa.Column('expected_close_on', sa.Date(), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('stage_entered_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('won_amount', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('loss_reason_id', sa.Integer(), nullable=True),
    sa.Column('loss_note', sa.Text(), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_pipelines_deal_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['loss_reason_id'], ['pipelines_loss_reason.id'], name=op.f('fk_pipelines_deal_loss_reason_id_pipelines_loss_reason')),
    sa.ForeignKeyConstraint(['organization_id'], ['contacts_organization.id'], name=op.f('fk_pipelines_deal_organization_id_contacts_organization')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_pipelines_deal_owner_id_core_user')),
    sa.ForeignKeyConstraint(['pipeline_id'], ['pipelines_pipeline.id'], name=op.f('fk_pipelines_deal_pipeline_id_pipelines_pipeline')),
    sa.ForeignKeyConstraint(['stage_id'], ['pipelines_stage.id'], name=op.f('fk_pipelines_deal_stage_id_pipelines_stage')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipelines_deal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_deal_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index('ix_pipelines_deal_board', ['stage_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_expected_close_on'), ['expected_close_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_loss_reason_id'), ['loss_reason_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_pipelines_deal_owner_board', ['owner_id', 'stage_id', 'archived_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index('ix_pipelines_deal_owner_list', ['owner_id', 'archived_at', 'title'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_pipeline_id'), ['pipeline_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_title'), ['title'], unique=False)
        batch_op.create_index('ix_pipelines_deal_totals', ['stage_id', 'closed_at', 'archived_at', 'owner_id', 'currency', 'probability', 'amount'], unique=False)
        batch_op.create_index('ix_pipelines_deal_owner_due', ['owner_id', 'closed_at', 'expected_close_on'], unique=False)
        batch_op.create_index('ix_pipelines_deal_owner_idle', ['owner_id', 'stage_id', 'stage_entered_at'], unique=False)

    op.create_table('pipelines_deal_competitor',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name=op.f('fk_pipelines_deal_competitor_deal_id_pipelines_deal')),
    sa.ForeignKeyConstraint(['organization_id'], ['contacts_organization.id'], name=op.f('fk_pipelines_deal_competitor_organization_id_contacts_organization')),
    sa.PrimaryKeyConstraint('deal_id', 'organization_id')
    )
    with op.batch_alter_table('pipelines_deal_competitor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_deal_competitor_organization_id'), ['organization_id'], unique=False)

    op.create_table('pipelines_deal_person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name=op.f('fk_pipelines_deal_person_deal_id_pipelines_deal')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_pipelines_deal_person_person_id_contacts_person')),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('deal_id', 'person_id', 'role', name=op.f('uq_pipelines_deal_person_deal_id'))
    )
    with op.batch_alter_table('pipelines_deal_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pipelines_deal_person_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pipelines_deal_person_person_id'), ['person_id'], unique=False)

    op.create_table('pipelines_line_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('price_item_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=2), nullable=False),
    sa.Column('discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['pipelines_deal.id'], name=op.f('fk_pipelines_line_item_deal_id_pipelines_deal')),
    sa.ForeignKeyConstraint(['price_item_id'], ['pipelines_price_item.id'], name=op.f('fk_pipelines_line_item_price_item_id_pipelines_price_item')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('pipelines_line_item', schema=None) as batch_op:
        batch_op.create_index('ix_pipelines_line_item_deal', ['deal_id', 'position'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('pipelines_line_item', schema=None) as batch_op:
        batch_op.drop_index('ix_pipelines_line_item_deal')

    op.drop_table('pipelines_line_item')
    with op.batch_alter_table('pipelines_deal_person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_person_person_id'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_person_deal_id'))

    op.drop_table('pipelines_deal_person')
    with op.batch_alter_table('pipelines_deal_competitor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_competitor_organization_id'))

    op.drop_table('pipelines_deal_competitor')
    with op.batch_alter_table('pipelines_deal', schema=None) as batch_op:
        batch_op.drop_index('ix_pipelines_deal_totals')
        batch_op.drop_index('ix_pipelines_deal_owner_due')
        batch_op.drop_index('ix_pipelines_deal_owner_idle')
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_title'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_source'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_pipeline_id'))
        batch_op.drop_index('ix_pipelines_deal_owner_list')
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_owner_id'))
        batch_op.drop_index('ix_pipelines_deal_owner_board')
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_organization_id'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_loss_reason_id'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_expected_close_on'))
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_closed_at'))
        batch_op.drop_index('ix_pipelines_deal_board')
        batch_op.drop_index(batch_op.f('ix_pipelines_deal_archived_at'))

    op.drop_table('pipelines_deal')
    with op.batch_alter_table('pipelines_stage', schema=None) as batch_op:
        batch_op.drop_index('ix_pipelines_stage_order')

    op.drop_table('pipelines_stage')
    with op.batch_alter_table('core_transition', schema=None) as batch_op:
        batch_op.drop_index('ix_core_transition_state')
        batch_op.drop_index('ix_core_transition_record')

    op.drop_table('core_transition')
    with op.batch_alter_table('pipelines_pipeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipelines_pipeline_department_id'))

    op.drop_table('pipelines_pipeline')
    with op.batch_alter_table('pipelines_price_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pipelines_price_item_name'))

    op.drop_table('pipelines_price_item')
    op.drop_table('pipelines_loss_reason')
