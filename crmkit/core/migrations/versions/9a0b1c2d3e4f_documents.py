"""documents: templates, numbering sequences and the archive

documents_template: the HTML templates admins write per entity and document type;
documents_sequence: the last number per document type and year (locked while the next is taken);
documents_document: the archive, one row per version of a generated or registered document.

Revision ID: 9a0b1c2d3e4f
Revises: 8a9b0c1d2e3f
Create Date: 2026-12-07 14:05:00
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '9a0b1c2d3e4f'
down_revision: Union[str, Sequence[str], None] = '8a9b0c1d2e3f'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

S = sqlmodel.sql.sqltypes.AutoString
WHEN = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    op.create_table('documents_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', S(length=200), nullable=False),
    sa.Column('entity', S(length=100), nullable=False),
    sa.Column('doc_type', S(length=20), nullable=False),
    sa.Column('language', S(length=5), nullable=False),
    sa.Column('engine', S(length=10), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('archived_at', WHEN(), nullable=True),
    sa.Column('created_at', WHEN(), nullable=False),
    sa.Column('updated_at', WHEN(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.create_index('ix_documents_template_entity', ['entity', 'archived_at', 'name'], unique=False)
    op.create_table('documents_sequence',
    sa.Column('doc_type', S(length=20), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('doc_type', 'year')
    )
    op.create_table('documents_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', WHEN(), nullable=False),
    sa.Column('updated_at', WHEN(), nullable=False),
    sa.Column('archived_at', WHEN(), nullable=True),
    sa.Column('extra', sa.JSON(), nullable=False),
    sa.Column('title', S(length=255), nullable=False),
    sa.Column('doc_type', S(length=20), nullable=False),
    sa.Column('number', S(length=50), nullable=True),
    sa.Column('doc_version', sa.Integer(), nullable=False),
    sa.Column('doc_date', sa.Date(), nullable=False),
    sa.Column('status', S(length=20), nullable=False),
    sa.Column('language', S(length=5), nullable=False),
    sa.Column('entity', S(length=100), nullable=True),
    sa.Column('record_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('filename', S(length=255), nullable=False),
    sa.Column('total', sa.Numeric(precision=18, scale=2), nullable=True),
    sa.Column('currency', S(length=3), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['files_attachment.id'], name=op.f('fk_documents_document_attachment_id_files_attachment')),
    sa.ForeignKeyConstraint(['created_by_id'], ['core_user.id'], name=op.f('fk_documents_document_created_by_id_core_user')),
    sa.ForeignKeyConstraint(['organization_id'], ['contacts_organization.id'], name=op.f('fk_documents_document_organization_id_contacts_organization')),
    sa.ForeignKeyConstraint(['owner_id'], ['core_user.id'], name=op.f('fk_documents_document_owner_id_core_user')),
    sa.ForeignKeyConstraint(['person_id'], ['contacts_person.id'], name=op.f('fk_documents_document_person_id_contacts_person')),
    sa.ForeignKeyConstraint(['template_id'], ['documents_template.id'], name=op.f('fk_documents_document_template_id_documents_template')),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documents_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_document_archived_at'), ['archived_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_doc_date'), ['doc_date'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_doc_type'), ['doc_type'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_filename'), ['filename'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_document_status'), ['status'], unique=False)
        batch_op.create_index('ix_documents_document_record', ['entity', 'record_id', 'id'], unique=False)
        batch_op.create_index('ix_documents_document_number', ['number', 'doc_version'], unique=False)
        batch_op.create_index('ix_documents_document_list', ['archived_at', 'doc_date', 'id'], unique=False)


def downgrade() -> None:
    op.drop_table('documents_document')
    op.drop_table('documents_sequence')
    with op.batch_alter_table('documents_template', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_template_entity')
    op.drop_table('documents_template')
