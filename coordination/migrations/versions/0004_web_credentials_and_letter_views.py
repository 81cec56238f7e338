"""web app: credentials (password hash, sign-in lock-out, language) and letter views

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import coordination.adapters.records


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('credentials',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('failed_sign_ins', sa.Integer(), nullable=False),
    sa.Column('locked_until', coordination.adapters.records.UTCDateTime(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=2), nullable=True),
    sa.Column('updated_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('letter_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('letter_id', sa.Integer(), nullable=False),
    sa.Column('letter_version_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('seen_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['letter_id'], ['letters.id'], ),
    sa.ForeignKeyConstraint(['letter_version_id'], ['letter_versions.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'letter_version_id')
    )
    with op.batch_alter_table('letter_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_letter_views_letter_id'), ['letter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_letter_views_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('letter_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_letter_views_user_id'))
        batch_op.drop_index(batch_op.f('ix_letter_views_letter_id'))

    op.drop_table('letter_views')
    op.drop_table('credentials')
