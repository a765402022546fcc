"""erased registrations become anonymous counts

Revision ID: a9erase000001
Revises: a7mail000002
Create Date: 2026-11-27 21:20:00

Written by hand. Registrations anonymized before this revision kept their row (category,
country, language, times): each is added to the new counts and deleted with what hangs off it.
"""
from collections import Counter
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9erase000001'
down_revision = 'a7mail000002'
branch_labels = None
depends_on = None

CHILDREN = ('registration_event', 'access_token', 'workshop_seat', 'personal_feed',
            'agenda_choice', 'outbox_message')


def upgrade():
    counts = op.create_table('erased_registration_count',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['registration_category.id'], name=op.f('fk_erased_registration_count_category_id_registration_category'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edition_id'], ['edition.id'], name=op.f('fk_erased_registration_count_edition_id_edition'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_erased_registration_count')),
    sa.UniqueConstraint('edition_id', 'category_id', 'country', 'status', 'day', name=op.f('uq_erased_registration_count_edition_id_category_id_country_status_day'))
    )
    with op.batch_alter_table('erased_registration_count', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_erased_registration_count_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_erased_registration_count_edition_id'), ['edition_id'], unique=False)
    count_and_delete_anonymized(counts)


def count_and_delete_anonymized(counts):
    """Turn rows anonymized under the old rule into counts, then delete them."""
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT r.id, r.edition_id, r.category_id, r.country, r.status, r.created_at, "
        "e.timezone FROM registration r JOIN edition e ON e.id = r.edition_id "
        "WHERE r.anonymized_at IS NOT NULL")).all()
    if not rows:
        return
    tally = Counter()
    for row in rows:
        created = row.created_at
        if isinstance(created, str):  # SQLite without the model's type decorator
            created = datetime.fromisoformat(created)
        if created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        day = created.astimezone(ZoneInfo(row.timezone)).date()
        tally[(row.edition_id, row.category_id, row.country or '', row.status, day)] += 1
    op.bulk_insert(counts, [dict(edition_id=e, category_id=c, country=country, status=s,
                                 day=day, count=n)
                            for (e, c, country, s, day), n in tally.items()])
    ids = [row.id for row in rows]
    for name in CHILDREN:
        connection.execute(sa.text(f"DELETE FROM {name} WHERE registration_id IN :ids")
                           .bindparams(sa.bindparam('ids', expanding=True)), {'ids': ids})
    keys = [f"personal/{i}" for i in ids]
    connection.execute(sa.text("DELETE FROM feed_cache WHERE key IN :keys")
                       .bindparams(sa.bindparam('keys', expanding=True)), {'keys': keys})
    connection.execute(sa.text("DELETE FROM registration WHERE id IN :ids")
                       .bindparams(sa.bindparam('ids', expanding=True)), {'ids': ids})


def downgrade():
    # The deleted rows cannot come back; the counts go.
    with op.batch_alter_table('erased_registration_count', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_erased_registration_count_edition_id'))
        batch_op.drop_index(batch_op.f('ix_erased_registration_count_category_id'))
    op.drop_table('erased_registration_count')
