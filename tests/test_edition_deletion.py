"""Deleting an edition: a POST only; one with registrations needs an administrator and its slug."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from meetings.editions import service
from meetings.errors import DomainError, NotAllowed
from meetings.extensions import db
from meetings.models import Edition, User
from meetings.registration import configuration
from meetings.registration import service as registration_service
from meetings.registration.models import RegistrationCategory, RegistrationMode
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.factories import MAIL_SITE, make_edition, make_session, make_track, make_user

NOW = datetime.now(UTC)
ORGANIZER = "organizer@example.org"


def registered_edition(registrations: int = 2) -> Edition:
    edition = make_edition()
    make_track(edition)
    make_session(edition)
    configuration.set_up(edition, now=NOW)
    configuration.update_settings(edition, opens_at=NOW - timedelta(days=1),
                          closes_at=NOW + timedelta(days=9), capacity=None,
                          mode=RegistrationMode.OPEN, auto_promote=True,
                          privacy_notice="We keep your data safe.",
                          now=NOW, site=MAIL_SITE)
    category = db.session.scalar(sa.select(RegistrationCategory).where(
        RegistrationCategory.edition_id == edition.id))
    for n in range(registrations):
        registration_service.register(
            edition, registration_service.Registrant(
                given_name="Given", family_name=f"Family{n}", email=f"p{n}@example.org",
                organization="Police", country="NL"),
            category_id=category.id, consent=True, now=NOW, site=MAIL_SITE)
    return edition


@pytest.fixture
def edition_id(app, auth) -> int:
    auth.create()
    with app.app_context():
        edition = registered_edition()
        make_user(email=ORGANIZER, password=ADMIN_PASSWORD, edition_ids=[edition.id])
        db.session.commit()
        return edition.id


def remaining(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(Edition.id)))


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_only_a_post_deletes(app, client, auth, edition_id, method):
    auth.login()
    client.open(f"/manage/editions/{edition_id}/delete", method=method)
    assert remaining(app) == 1


def test_the_page_says_what_goes_and_asks_for_the_slug(client, auth, edition_id):
    auth.login()
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    for removed in ("2 registrations", "1 session", "1 track", "0 speakers"):
        assert removed in page
    assert 'name="confirmation"' in page and "type the address of the edition: 2027" in page


@pytest.mark.parametrize("typed", ["", "2026", "2027x"])
def test_an_administrator_must_type_the_slug(app, client, auth, edition_id, typed):
    auth.login()
    response = client.post(f"/manage/editions/{edition_id}/delete",
                           data={"confirmation": typed})
    assert response.status_code == 400 and "Type “2027” to confirm." in response.text
    assert remaining(app) == 1


def test_an_administrator_who_typed_the_slug_deletes_everything(app, client, auth, edition_id):
    auth.login()
    response = client.post(f"/manage/editions/{edition_id}/delete",
                           data={"confirmation": " 2027 "})
    assert response.status_code == 302 and remaining(app) == 0
    with app.app_context():
        summary = db.session.scalar(sa.text("SELECT summary FROM audit_entry "
                                            "WHERE action = 'edition.delete'"))
    assert "2 registrations" in summary


def test_an_organizer_is_told_only_an_administrator_can(app, client, auth, edition_id):
    auth.login(email=ORGANIZER)
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    assert "only an administrator can delete it" in page and 'name="confirmation"' not in page
    response = client.post(f"/manage/editions/{edition_id}/delete",
                           data={"confirmation": "2027"})
    assert response.status_code == 403 and "only an administrator can delete it" in response.text
    assert remaining(app) == 1


def test_an_organizer_deletes_an_edition_nobody_registered_for(app, client, auth):
    auth.create()
    with app.app_context():
        edition_id = registered_edition(registrations=0).id
        make_user(email=ORGANIZER, password=ADMIN_PASSWORD, edition_ids=[edition_id])
        db.session.commit()
    auth.login(email=ORGANIZER)
    assert client.post(f"/manage/editions/{edition_id}/delete").status_code == 302
    assert remaining(app) == 0


def test_the_rule_lives_in_the_service(app, edition_id):
    with app.app_context():
        edition = db.session.get(Edition, edition_id)
        organizer = db.session.scalar(sa.select(User).where(User.email == ORGANIZER))
        admin = db.session.scalar(sa.select(User).where(User.email == ADMIN_EMAIL))
        with pytest.raises(NotAllowed):
            service.delete_edition(edition, user=organizer, confirmation="2027")
        with pytest.raises(DomainError) as error:
            service.delete_edition(edition, user=admin, confirmation="")
        assert error.value.field == "confirmation"
        service.delete_edition(edition, user=admin, confirmation="2027")
        assert db.session.get(Edition, edition_id) is None


def test_deleting_an_edition_deletes_the_mail_about_its_registrations(app, client, auth,
                                                                      edition_id):
    """Once the registrations are gone nothing could reach their mail: it goes with them."""
    from meetings.mail.models import OutboxMessage
    from meetings.mail.service import queue_message

    with app.app_context():
        queue_message("someone@example.org", "Unrelated", "Kept.", now=NOW)
        db.session.commit()
        about = db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.registration_id.is_not(None)))
    assert about == 2  # the two confirmation mails
    auth.login()
    client.post(f"/manage/editions/{edition_id}/delete", data={"confirmation": "2027"})
    with app.app_context():
        left = db.session.scalars(sa.select(OutboxMessage.to_address)).all()
    assert left == ["someone@example.org"]
