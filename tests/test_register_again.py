"""A cancelled person may register again: the same row starts afresh, placed at the end."""

import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.registration import service
from meetings.registration.models import RegistrationStatus as S
from tests.factories import (
    FIXED_NOW,
    MAIL_SITE,
    SUITE_START,
    manage_token,
    open_edition,
    person,
    registration_category,
    sign_up,
)


def subjects(registration_id: int) -> list[str]:
    return db.session.scalars(sa.select(OutboxMessage.subject).where(
        OutboxMessage.registration_id == registration_id).order_by(OutboxMessage.id)).all()


def test_registering_after_cancelling_reopens_the_row_at_the_end_of_the_line(app):
    with app.app_context():
        edition = open_edition(capacity=1, auto_promote=False)
        first = sign_up(edition, 1)
        service.cancel(first, now=FIXED_NOW, site=MAIL_SITE)
        meanwhile = sign_up(edition, 2)  # takes the freed seat
        waiting = sign_up(edition, 3)
        assert (meanwhile.status, waiting.status) == (S.APPROVED, S.WAITLISTED)
        old_arrival = first.arrival

        again = service.register(edition, person(1, organization="Europol"),
                                 category_id=registration_category(edition).id, consent=True,
                                 now=FIXED_NOW, site=MAIL_SITE)
        assert again.id == first.id  # one row per address and edition
        assert (again.status, again.arrival, again.organization) == (S.UNVERIFIED, None,
                                                                      "Europol")
        assert subjects(again.id)[-1].startswith("Please confirm")
        assert [(e.from_status, e.to_status, e.note) for e in again.history][-1] == (
            "cancelled", "unverified", "registered again")

        service.verify(again, now=FIXED_NOW, site=MAIL_SITE)
        assert again.status == S.WAITLISTED
        assert again.arrival > waiting.arrival > old_arrival
        assert service.waiting_position(again) == 2  # behind the one who waited already


def test_a_live_registration_still_only_gets_its_link_again(app):
    with app.app_context():
        edition = open_edition()
        first = sign_up(edition, 1)
        same = service.register(edition, person(1), category_id=registration_category(edition).id,
                                consent=True, now=FIXED_NOW, site=MAIL_SITE)
        assert same.id == first.id and same.status == S.APPROVED
        assert subjects(first.id)[-1].startswith("Your registration for")


def test_the_cancelled_page_offers_to_register_again(app, client):
    with app.app_context():
        edition = open_edition(now=SUITE_START)  # open at the time the page is asked for
        registration = sign_up(edition, 1, now=SUITE_START)
        service.cancel(registration, now=SUITE_START, site=MAIL_SITE)
        token = manage_token(registration, SUITE_START)
        db.session.commit()
    page = client.get(f"/manage-registration/{token}").get_data(as_text=True)
    assert "Register again" in page and 'href="/2027/register"' in page
