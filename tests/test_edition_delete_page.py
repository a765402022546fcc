"""The edition delete page says what happens to the people registered, and may tell them."""

import re

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.models import Edition
from meetings.registration.models import Registration, RegistrationStatus
from tests.factories import (
    SUITE_START,
    agenda_world,
    make_edition,
    make_venue,
    open_registration,
    sign_up,
)

TOLD = {"p3@example.org": RegistrationStatus.WAITLISTED,
        "p4@example.org": RegistrationStatus.PENDING}
NOT_TOLD = {"p5@example.org": RegistrationStatus.CANCELLED,
            "p6@example.org": RegistrationStatus.REJECTED,
            "p7@example.org": RegistrationStatus.UNVERIFIED}


@pytest.fixture
def world(app):
    """agenda_world's two approved attendees, one registrant waiting for a seat, one waiting for
    a decision, and three who expect nothing (cancelled, refused, never confirmed)."""
    world = agenda_world(app)
    with app.app_context():
        edition = db.session.get(Edition, world["edition"])
        for n, (address, status) in enumerate({**TOLD, **NOT_TOLD}.items(), start=3):
            sign_up(edition, n, now=SUITE_START).status = status
            assert address == f"p{n}@example.org"
        world["title"] = edition.title
        db.session.commit()
    return world


def test_delete_page_offers_to_email_those_who_hold_or_wait_for_a_seat(app, client, admin,
                                                                       world):
    page = client.get(f"/manage/editions/{world['edition']}/delete").get_data(as_text=True)
    assert "7 registrations" in page
    assert "people registered for this edition received" in page and "stop working" in page
    box = re.search(r'<input[^>]*name="tell_registrants"[^>]*>', page).group(0)
    assert "checked" in box
    assert "Email the 4 registrants that the edition is cancelled" in page
    assert "Untick it and nobody is told." in page


def test_without_registrations_nothing_is_said_of_registrants(app, client, admin):
    with app.app_context():
        edition_id = make_edition(venue=make_venue()).id
        db.session.commit()
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    assert "stop working" not in page and "tell_registrants" not in page


def test_with_nobody_holding_or_waiting_for_a_seat_nobody_is_offered_an_email(app, client,
                                                                              admin):
    with app.app_context():
        edition = make_edition(venue=make_venue())
        open_registration(edition, now=SUITE_START)
        sign_up(edition, 1, now=SUITE_START, verify=False)
        db.session.commit()
        edition_id = edition.id
    page = client.get(f"/manage/editions/{edition_id}/delete").get_data(as_text=True)
    assert "None of them holds or waits for a seat, so nobody is emailed." in page
    assert "tell_registrants" not in page


def test_registrants_are_emailed_that_the_edition_is_cancelled(app, client, runner, admin,
                                                               world, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port),
                      MAIL_FROM="registration@meetings.test")
    response = client.post(f"/manage/editions/{world['edition']}/delete",
                           data={"confirmation": "2027", "tell_registrants": "y"})
    assert response.status_code == 302
    assert "4 registrants will be emailed" in client.get(response.location).get_data(
        as_text=True)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
        queued = db.session.scalars(sa.select(OutboxMessage)).all()
        assert all(message.registration_id is None for message in queued)
    result = runner.invoke(args=["meetings", "send-mail"])  # the mail worker's pass
    assert result.exit_code == 0, result.output
    inbox = smtp_server.inbox
    assert sorted(message["To"] for message in inbox.messages) == sorted(
        ["p1@example.org", "p2@example.org", *TOLD])
    assert {message["Subject"] for message in inbox.messages} == {f"Cancelled: {world['title']}"}
    for body in inbox.bodies("plain") + inbox.bodies("html"):
        assert world["title"] in body and "no longer work" in body
        links = re.findall(r"https?://[^\s\"'<>]+", body)
        assert links == ["http://localhost/"]
        assert client.get("/").status_code == 200  # the one link leads to a live page


def test_unticked_nobody_is_emailed(app, client, admin, world, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    response = client.post(f"/manage/editions/{world['edition']}/delete",
                           data={"confirmation": "2027"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
        assert db.session.get(Edition, world["edition"]) is None


def test_a_refused_deletion_emails_nobody(app, client, admin, world, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    response = client.post(f"/manage/editions/{world['edition']}/delete",
                           data={"confirmation": "wrong", "tell_registrants": "y"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.registration_id.is_(None))) == 0
        assert db.session.get(Edition, world["edition"]) is not None
