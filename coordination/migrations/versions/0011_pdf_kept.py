"""the PDF of each dispatched letter version, made once and kept (issue 14, part 3)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered_pdf', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN, as in 0008: a batch's table copy would break the foreign keys to letter_versions
    op.execute('ALTER TABLE letter_versions DROP COLUMN rendered_pdf')
