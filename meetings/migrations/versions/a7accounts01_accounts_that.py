"""accounts that hold (invitations, password resets, session versions, TOTP)

Revision ID: a7accounts01
Revises: c986b667d8c8
Create Date: 2026-11-27 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7accounts01'
down_revision = 'c986b667d8c8'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
