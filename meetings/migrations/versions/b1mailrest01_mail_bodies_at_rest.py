"""mail bodies encrypted at rest, manage links end with the retention period

Revision ID: b1mailrest01
Revises: a9erase000001
Create Date: 2026-11-27 21:00:00

Written by hand, data only (the columns stay text): bodies of delivered messages are emptied,
the others are encrypted under the mail body key (meetings.mail.encryption); manage links that
would outlive their edition's retention period end with it.
"""
from datetime import UTC, datetime, time

from alembic import op
from flask import current_app
import sqlalchemy as sa

from meetings.mail.encryption import body_cipher, seal, unseal
from meetings.models import UTCDateTime
from meetings.registration.purge_date import purge_after


# revision identifiers, used by Alembic.
revision = 'b1mailrest01'
down_revision = 'a9erase000001'
branch_labels = None
depends_on = None

outbox = sa.table('outbox_message', sa.column('id', sa.Integer), sa.column('status', sa.String),
                  sa.column('text_body', sa.Text), sa.column('html_body', sa.Text))
token = sa.table('access_token', sa.column('id', sa.Integer),
                 sa.column('registration_id', sa.Integer), sa.column('expires_at', UTCDateTime))
registration = sa.table('registration', sa.column('id', sa.Integer),
                        sa.column('edition_id', sa.Integer))
edition = sa.table('edition', sa.column('id', sa.Integer), sa.column('ends_on', sa.Date))


def rewrite_bodies(change) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(outbox).where(
        sa.or_(outbox.c.text_body != '', outbox.c.html_body != ''))).all()
    for row in rows:
        connection.execute(sa.update(outbox).where(outbox.c.id == row.id).values(
            text_body=change(row, row.text_body), html_body=change(row, row.html_body)))


def upgrade():
    cipher = body_cipher(current_app.config)
    rewrite_bodies(lambda row, body: '' if row.status == 'sent' else seal(body, cipher))
    days = current_app.config['REGISTRATION_RETENTION_DAYS']
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(token.c.id, token.c.expires_at, edition.c.ends_on)
        .join(registration, registration.c.id == token.c.registration_id)
        .join(edition, edition.c.id == registration.c.edition_id)).all()
    for row in rows:
        end = datetime.combine(purge_after(row, days), time(), tzinfo=UTC)
        if row.expires_at > end:
            connection.execute(sa.update(token).where(token.c.id == row.id)
                               .values(expires_at=end))


def downgrade():
    # Shortened links stay short: nothing records how long they were.
    cipher = body_cipher(current_app.config)
    rewrite_bodies(lambda row, body: unseal(body, cipher))
