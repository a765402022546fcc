"""mail worker (failed state, per-message errors)

Revision ID: a7mail000002
Revises: a7accounts01
Create Date: 2026-11-27 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7mail000002'
down_revision = 'a7accounts01'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
