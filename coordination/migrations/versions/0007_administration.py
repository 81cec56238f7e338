"""administration: removed recipients, password-set links, signatories (issue 12, part 2)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import coordination.adapters.records


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.add_column(sa.Column('removed_at', coordination.adapters.records.UTCDateTime(), nullable=True))
    op.create_table('password_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('created_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.Column('expires_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.Column('used_at', coordination.adapters.records.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_sha256')
    )
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_links_user_id'), ['user_id'], unique=False)
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


def downgrade() -> None:
    op.drop_table('signatories')
    with op.batch_alter_table('password_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_links_user_id'))
    op.drop_table('password_links')
    with op.batch_alter_table('recipients', schema=None) as batch_op:
        batch_op.drop_column('removed_at')
