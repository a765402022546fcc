"""certificates: who was mailed the link to their certificate of attendance

Revision ID: g1certs0001
Revises: f3stamps0001
Create Date: 2026-11-27 22:40:00.000000

No foreign key to registration on purpose: erasure deletes these rows through the erasing
signal. Certificates themselves are never stored.

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'g1certs0001'
down_revision = 'f3stamps0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificate_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_certificate_sent_edition_id_edition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificate_sent')),
    sa.UniqueConstraint('edition_id', 'registration_id', name=op.f('uq_certificate_sent_edition_id_registration_id'))
    )
    with op.batch_alter_table('certificate_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_certificate_sent_registration_id'), ['registration_id'], unique=False)


def downgrade():
    with op.batch_alter_table('certificate_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificate_sent_registration_id'))
    op.drop_table('certificate_sent')
