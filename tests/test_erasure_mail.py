"""Erasing one registration deletes its own mail and nobody else's, not even the same person's."""

from datetime import UTC, datetime

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.registration import privacy, service
from meetings.registration.models import Registration
from tests.factories import MAIL_SITE, make_edition, open_registration, registration_category

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def signed_up(slug: str) -> Registration:
    """The same person, verified, in a new edition with open registration."""
    edition = make_edition(slug=slug)
    open_registration(edition, now=NOW)
    person = service.Registrant(given_name="Given", family_name="Family",
                                email="same.person@example.org")
    registration = service.register(edition, person,
                                    category_id=registration_category(edition).id,
                                    consent=True, now=NOW, site=MAIL_SITE)
    return service.verify(registration, now=NOW, site=MAIL_SITE)


def test_erasing_one_edition_keeps_the_same_persons_mail_for_another(app):
    with app.app_context():
        first = signed_up("2027")
        second = signed_up("2028")
        first_id = first.id
        kept = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.registration_id == second.id))
        privacy.erase(first, now=NOW, site=MAIL_SITE)
        db.session.commit()
        rows = db.session.execute(sa.select(OutboxMessage.registration_id)).scalars().all()
        assert kept > 0
        assert first_id not in rows
        assert rows.count(second.id) == kept
