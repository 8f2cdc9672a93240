"""documents: Word (.docx) templates, and the archive's index of a file's document

documents_template gets the uploaded Word file (docx, docx_name) beside the HTML source;
documents_document gets an index on attachment_id, read when a file is deleted (its document
keeps its number and loses the file); its number is never NULL ('' for a paper document without
one) so that the archive sorted by number reads ix_documents_document_by_number instead of
sorting every row (NULLS LAST can't use an index on SQLite); that index and the status and type
filters' are partial, on the live documents (archived_at IS NULL), and end with the id, so each
page is one range of an index on both engines.

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

LIVE = sa.text('archived_at IS NULL')


def upgrade() -> None:
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('docx', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('docx_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False,
                                      server_default=''))
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.alter_column('docx_name', server_default=None)
    op.execute("UPDATE documents_document SET number = '' WHERE number IS NULL")
    with op.batch_alter_table('documents_document', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False)
        batch_op.create_index('ix_documents_document_attachment', ['attachment_id'], unique=False)
        batch_op.drop_index('ix_documents_document_status')
        batch_op.drop_index('ix_documents_document_doc_type')
    for name, columns in (('ix_documents_document_status', ['status', 'id']), ('ix_documents_document_doc_type', ['doc_type', 'id']),
                          ('ix_documents_document_by_number', ['number', 'id'])):
        op.create_index(name, 'documents_document', columns, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    for name in ('ix_documents_document_by_number', 'ix_documents_document_doc_type', 'ix_documents_document_status'):
        op.drop_index(name, table_name='documents_document')
    with op.batch_alter_table('documents_document', schema=None) as batch_op:
        batch_op.create_index('ix_documents_document_doc_type', ['doc_type'], unique=False)
        batch_op.create_index('ix_documents_document_status', ['status'], unique=False)
        batch_op.alter_column('number', existing_type=sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True)
        batch_op.drop_index('ix_documents_document_attachment')
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.drop_column('docx_name')
        batch_op.drop_column('docx')
