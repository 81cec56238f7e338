"""mandates and their holders; the signers of each letter version (issue 13, part 1)

The mandates are seeded from the catalogue (coordination.domain.mandates.CATALOGUE). Issue 12's
`signatories` table (a name and title per organisation) is dropped: its rows give no grammatical
gender and no term, and holders are never guessed, so an admin enters them again as terms
(`coordination signatory set --mandate … --gender …`).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa
import sqlmodel
import coordination.adapters.records
from coordination.adapters.mandates import catalogue_rows


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    mandates = op.create_table('mandates',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('titles', sa.JSON(), nullable=False),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('updated_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_table('mandate_holders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mandate', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('gender', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('created_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.Column('updated_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['mandate'], ['mandates.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('mandate_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mandate_holders_mandate'), ['mandate'], unique=False)
    with op.batch_alter_table('letter_versions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signers', sa.JSON(), nullable=True))
    op.bulk_insert(mandates, catalogue_rows(datetime.now(UTC)))
    op.drop_table('signatories')


def downgrade() -> None:
    op.create_table('signatories',
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('titles', sa.JSON(), nullable=False),
    sa.Column('form_of_address', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('updated_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('updated_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('organisation')
    )
    # a plain DROP COLUMN (SQLite 3.35 and later), as 0008's downgrade does, for the same reason
    op.execute('ALTER TABLE letter_versions DROP COLUMN signers')
    with op.batch_alter_table('mandate_holders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mandate_holders_mandate'))
    op.drop_table('mandate_holders')
    op.drop_table('mandates')
