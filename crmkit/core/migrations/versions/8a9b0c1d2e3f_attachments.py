"""attachments on any record

files_attachment: a file attached to a record of any entity (its key and id), pointing at a
content-addressed blob in the files storage by its SHA-256; ordered per record and kind.

Revision ID: 8a9b0c1d2e3f
Revises: 1c2d3e4f5a6b
Create Date: 2026-12-07 12:40:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '8a9b0c1d2e3f'
down_revision: Union[str, Sequence[str], None] = '1c2d3e4f5a6b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('files_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=127), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('original_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_files_attachment_created_by_id_core_user')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('files_attachment', schema=None) as batch_op:
        batch_op.create_index('ix_files_attachment_record', ['entity', 'record_id', 'kind', 'position', 'id'], unique=False)
        batch_op.create_index('ix_files_attachment_timeline', ['entity', 'record_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_files_attachment_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('files_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_files_attachment_sha256'))
        batch_op.drop_index('ix_files_attachment_timeline')
        batch_op.drop_index('ix_files_attachment_record')
    op.drop_table('files_attachment')
