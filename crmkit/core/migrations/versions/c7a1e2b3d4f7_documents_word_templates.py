"""documents: Word (.docx) templates, and the archive's index of a file's document

documents_template gets the uploaded Word file (docx, docx_name) beside the HTML source;
documents_document gets an index on attachment_id, read when a file is deleted (its document
keeps its number and loses the file) and when an upload enters the archive.

Revision ID: c7a1e2b3d4f7
Revises: a0b1c2d3e4f5
Create Date: 2026-12-07 16:30:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = 'c7a1e2b3d4f7'
down_revision: Union[str, Sequence[str], None] = 'a0b1c2d3e4f5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('docx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('docx_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.alter_column('docx_name', server_default=None)
    with op.batch_alter_table('documents_document', schema=None) as batch_op:
        batch_op.create_index('ix_documents_document_attachment', ['attachment_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('documents_document', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_document_attachment')
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.drop_column('docx_name')
        batch_op.drop_column('docx')
