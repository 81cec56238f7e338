"""lifecycle: actions withdrawn, closed by hand with an outcome, reopened; links between actions

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

An action ended by hand keeps its stage; `status_before` is the status a reopening returns
to, `outcome` the outcome of a closure by hand and `closure_reason` the reason given. Each
link between two actions is two rows of `action_links`, one per action (issue 12, part 1).
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import coordination.adapters.records


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('joint_actions', sa.Column('outcome', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True))
    op.add_column('joint_actions', sa.Column('closure_reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column('joint_actions',
                  sa.Column('status_before', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True))
    op.create_table('action_links',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('relation', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('inverse', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('linked_by', sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
    sa.Column('linked_at', coordination.adapters.records.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['joint_actions.id'], ),
    sa.ForeignKeyConstraint(['other_id'], ['joint_actions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('action_id', 'other_id', 'relation', 'inverse')
    )
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_links_action_id'), ['action_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_links_other_id'), ['other_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('action_links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_links_other_id'))
        batch_op.drop_index(batch_op.f('ix_action_links_action_id'))
    op.drop_table('action_links')
    # a plain DROP COLUMN (SQLite 3.35 and later): copying joint_actions, as a batch would, breaks
    # the foreign keys of every table that refers to it
    for column in ('status_before', 'closure_reason', 'outcome'):
        op.execute(f'ALTER TABLE joint_actions DROP COLUMN {column}')
