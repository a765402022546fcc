"""Erasing one registration deletes its own mail and nobody else's, not even the same person's."""

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.registration import privacy
from tests.factories import FIXED_NOW as NOW
from tests.factories import open_edition, sign_up


def test_erasing_one_edition_keeps_the_same_persons_mail_for_another(app):
    with app.app_context():
        first = sign_up(open_edition(slug="2027"), 1)
        second = sign_up(open_edition(slug="2028"), 1)
        kept = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.registration_id == second.id))
        privacy.erase(first, now=NOW)
        db.session.commit()
        rows = db.session.execute(sa.select(OutboxMessage.registration_id)).scalars().all()
        assert kept > 0
        assert first.id not in rows
        assert rows.count(second.id) == kept
