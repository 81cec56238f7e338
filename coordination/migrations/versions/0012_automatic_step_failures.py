"""automatic steps that fail: the reruns made, the failure, the next rerun's time, and when they
stopped and were reported to the officer (issue 14, part 5)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa
import coordination.adapters.records


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

COLUMNS = ('steps_reruns', 'steps_failure', 'steps_retry_at', 'steps_stopped_at', 'steps_reported_at')


def upgrade() -> None:
    # every action already there has never had a failure counted
    op.add_column('joint_actions', sa.Column('steps_reruns', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('joint_actions', sa.Column('steps_failure', sa.String(), nullable=True))
    for column in COLUMNS[2:]:
        op.add_column('joint_actions', sa.Column(column, coordination.adapters.records.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (SQLite 3.35 and later), as in 0006: a batch's copy of joint_actions
    # would break the foreign keys of every table that refers to it
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE joint_actions DROP COLUMN {column}')
