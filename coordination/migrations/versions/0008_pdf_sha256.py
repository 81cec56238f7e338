"""the sha256 of each dispatched letter version's PDF/A (issue 13, part 7)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('letter_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rendered_pdf_sha256', sqlmodel.sql.sqltypes.AutoString(length=64),
                                      nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35 and later): copying letter_versions, as a batch would, breaks
    # the foreign keys of the tables that refer to it (approvals, outbox)
    op.execute('ALTER TABLE letter_versions DROP COLUMN rendered_pdf_sha256')
