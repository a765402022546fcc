"""sensitive registration questions, the controller on the privacy page

Revision ID: c2sensitive01
Revises: b1mailrest01
Create Date: 2026-11-27 21:10:00

Written by hand: a sensitive flag on custom questions (their answers are cleared with dietary
and accessibility needs) and a controller/contact text in the registration settings.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c2sensitive01'
down_revision = 'b1mailrest01'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sensitive', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('registration_settings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('controller', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('registration_settings', schema=None) as batch_op:
        batch_op.drop_column('controller')
    with op.batch_alter_table('registration_question', schema=None) as batch_op:
        batch_op.drop_column('sensitive')
