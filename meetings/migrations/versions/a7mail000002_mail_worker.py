"""mail worker (failed state, per-message errors)

Revision ID: a7mail000002
Revises: a7accounts01
Create Date: 2026-11-27 17:30:00

Written by hand: the status is a checked string (enum_column, not a native enum), so adding
'failed' replaces its CHECK constraint; batch mode rebuilds the table on SQLite.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7mail000002'
down_revision = 'a7accounts01'
branch_labels = None
depends_on = None

OLD_STATUS = sa.Enum('pending', 'sent', name='outboxstatus', native_enum=False,
                     create_constraint=True, length=20)
NEW_STATUS = sa.Enum('pending', 'sent', 'failed', name='outboxstatus', native_enum=False,
                     create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_attempt_at', sa.DateTime(timezone=True),
                                      nullable=True))
        batch_op.alter_column('status', existing_type=OLD_STATUS, type_=NEW_STATUS,
                              existing_nullable=False)


def downgrade():
    # The old schema has no failed state: such messages become pending again.
    op.execute("UPDATE outbox_message SET status = 'pending' WHERE status = 'failed'")
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=NEW_STATUS, type_=OLD_STATUS,
                              existing_nullable=False)
        batch_op.drop_column('last_attempt_at')
