"""forms of address: a recipient's office and the grammatical gender of its title (issue 13, part 3)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # both empty for every recipient already in the address book: the institution is addressed
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
        batch_op.add_column(sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_column('gender')
        batch_op.drop_column('office')
