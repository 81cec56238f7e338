"""frozen renditions and outbox retries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import coordination.adapters.records


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered_subject', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('rendered_html', sqlmodel.sql.sqltypes.AutoString(), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('next_attempt_at', coordination.adapters.records.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_at', coordination.adapters.records.UTCDateTime(), nullable=True))
        batch_op.create_index('ix_outbox_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_next_attempt_at')
        batch_op.drop_column('claimed_at')
        batch_op.drop_column('next_attempt_at')

    with op.batch_alter_table('letter_versions', schema=None) as batch_op:
        batch_op.drop_column('rendered_html')
        batch_op.drop_column('rendered_subject')

