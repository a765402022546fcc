"""The attendee is mailed when a visa officer issues or refuses their letter: a link to their
page and the officer's message, never the letter or a passport field (outbox and delivery)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage
from meetings.registration.models import Registration
from meetings.visas import service
from meetings.visas.models import VisaRequest
from tests.factories import (
    SUITE_START,
    approved_registration,
    make_edition,
    make_user,
    manage_token,
    open_registration,
)
from tests.smtp import DeliveredInbox

KEY = "5a" * 32
PASSPORT = "ZQ4711CANARY"
PASSPORT_NAMES = ("Zebulonia", "QUAXWORTHY")
NOW = SUITE_START


@pytest.fixture
def world(app, client, auth, smtp_server):
    app.config.update(VISA_DATA_KEY=KEY, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port,
                      MAIL_FROM="visas@meetings.test")
    with app.app_context():
        edition = make_edition(slug="visa", starts_on=NOW.date() + timedelta(days=60))
        open_registration(edition, now=NOW)
        registration = approved_registration(edition, 1, "government", NOW)
        service.save_settings(edition, enabled=True, requests_until=edition.ends_on)
        officer = make_user(email="officer@example.org", edition_ids=[edition.id])
        service.add_officer(edition, officer.email)
        db.session.commit()
        world = {"edition": edition.id, "registration": registration.id,
                 "email": registration.email}
    inbox = DeliveredInbox(app, smtp_server.inbox)
    inbox.messages.clear()  # the registration's own mails
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        db.session.commit()
    token = token_of(app, world["registration"])
    client.post(f"/manage-registration/{token}/visa", data={
        "passport_names": " ".join(PASSPORT_NAMES), "passport_number": PASSPORT,
        "issuing_state": "KE", "nationality": "KE", "date_of_birth": "1980-02-29",
        "passport_expiry": (NOW.date() + timedelta(days=800)).isoformat(),
        "consulate": "Embassy of the Netherlands, Nairobi", "function": "Inspector"})
    with app.app_context():
        world["request"] = db.session.scalar(sa.select(VisaRequest.id))
        world["reference"] = db.session.scalar(sa.select(VisaRequest.reference))
    assert world["request"] is not None
    auth.login(email="officer@example.org", password="correct horse battery")
    world["inbox"] = inbox
    return world


def token_of(app, registration_id: int) -> str:
    with app.app_context():
        token = manage_token(db.session.get(Registration, registration_id), NOW)
        db.session.commit()
        return token


def decide(client, world, action: str, message: str = ""):
    response = client.post(f"/manage/editions/{world['edition']}/visas/{world['request']}/"
                           f"{action}", data={"message": message})
    assert response.status_code == 302


def outbox_texts(app) -> list[str]:
    """Every queued message, bodies decrypted, and every raw outbox row as stored."""
    with app.app_context():
        messages = db.session.scalars(sa.select(OutboxMessage).options(
            sa.orm.undefer(OutboxMessage.text_body), sa.orm.undefer(OutboxMessage.html_body)))
        texts = [f"{m.to_address}\n{m.subject}\n{m.text_body}\n{m.html_body}" for m in messages]
        raw = [repr(tuple(row)) for row in db.session.execute(
            sa.text('SELECT * FROM "outbox_message"'))]
    return texts + raw


def assert_no_passport_data(texts: list[str]) -> None:
    for text in texts:
        for secret in (PASSPORT, *PASSPORT_NAMES, "Nairobi", "Inspector"):
            assert secret not in text


def test_an_issued_letter_is_announced_with_a_link_and_never_attached(app, client, world):
    decide(client, world, "issue")
    queued = outbox_texts(app)
    assert len(queued) == 2  # one message: decrypted, then as stored
    assert_no_passport_data(queued)
    assert world["reference"] in queued[0] and "/visa" in queued[0]
    [message] = world["inbox"].messages
    assert message["To"] == world["email"]
    delivered = message.as_string()
    assert_no_passport_data([delivered, *world["inbox"].bodies("plain")])
    assert not [part for part in message.walk() if part.get_content_maintype() == "application"]
    [body] = world["inbox"].bodies("plain")
    link = next(word for word in body.split() if "/manage-registration/" in word)
    assert link.endswith("/visa")
    page = client.get(link.removeprefix("http://localhost")).get_data(as_text=True)
    assert "Download your letter (PDF)" in page


def test_a_refusal_carries_the_officers_message(app, client, world):
    decide(client, world, "refuse", "Apply for an e-visa instead.")
    assert_no_passport_data(outbox_texts(app))
    [body] = world["inbox"].bodies("plain")
    assert "Apply for an e-visa instead." in body and "refused" in body
    assert world["reference"] in body
    assert_no_passport_data([world["inbox"].messages[0].as_string()])


def test_a_refusal_without_a_message_mails_nobody(app, client, world):
    decide(client, world, "refuse", "")
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
