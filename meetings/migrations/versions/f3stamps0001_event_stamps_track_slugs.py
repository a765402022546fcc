"""feeds: each event's SEQUENCE and LAST-MODIFIED by fingerprint; the slugs tracks had before

Revision ID: f3stamps0001
Revises: c4checkin001
Create Date: 2026-11-28 10:00:00.000000

event_stamp starts empty: a first build stamps each event from the object's own counter (the
session's sequence, the edition's revision), so no SEQUENCE a client saw goes back.

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'f3stamps0001'
down_revision = 'c4checkin001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('event_stamp',
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('last_modified', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('sequence >= 0', name=op.f('ck_event_stamp_sequence_non_negative')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_event_stamp'))
    )
    op.create_table('track_slug',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('track_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_track_slug_edition_id_edition'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['track_id'], ['track.id'], name=op.f('fk_track_slug_track_id_track'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'slug', name=op.f('pk_track_slug'))
    )
    with op.batch_alter_table('track_slug', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_track_slug_track_id'), ['track_id'], unique=False)


def downgrade():
    with op.batch_alter_table('track_slug', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_track_slug_track_id'))
    op.drop_table('track_slug')
    op.drop_table('event_stamp')
