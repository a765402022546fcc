"""Links in mail are never readable from the database: bodies encrypted while queued, dropped once
delivered; invitation codes kept as hashes; manage links end with the edition's retention period."""

import email
import re
import socket
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import url_for

from meetings.config import ConfigurationError, environment_config
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import deliver_pending, smtp_settings
from meetings.mail.service import retry_message
from meetings.mail.worker import MailWorker
from meetings.registration import configuration, service
from meetings.registration.models import AccessToken, RegistrationMode
from meetings.registration.tokens import TOKEN_LIFETIME, issue_token, registration_for_token
from tests.factories import MAIL_SITE, make_edition, open_registration, registration_category

NOW = datetime.now(UTC)
KEY = "mail-body-key-" + "k" * 32
LINK = re.compile(r"/manage-registration/([A-Za-z0-9_-]+)")


class Inbox:
    """aiosmtpd handler keeping the plain-text part of every message it receives."""

    def __init__(self):
        self.bodies: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                self.bodies.append(part.get_payload(decode=True).decode("utf-8"))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    """A real SMTP server on a free port of 127.0.0.1."""
    controller = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def mailing(app, smtp):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp.port, MAIL_BODY_KEY=KEY)
    return smtp.handler


@pytest.fixture
def edition_ids(app):
    with app.app_context():
        edition = make_edition(slug="2027")
        open_registration(edition, now=NOW - timedelta(days=1))
        ids = {"edition": edition.id, "category": registration_category(edition).id}
        db.session.commit()
    return ids


def raw_rows(app, table: str) -> str:
    """Every column of every row of a table, as the database (or a backup) holds it."""
    with app.app_context():
        rows = db.session.execute(sa.text(f'SELECT * FROM "{table}"')).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def register(client, ids):
    return client.post("/2027/register", data={
        "given_name": "Ada", "family_name": "Lovelace", "email": "ada@example.org",
        "organization": "INTERPOL", "job_title": "Analyst", "country": "FR",
        "category": str(ids["category"]), "language": "en", "consent": "y"})


def test_a_queued_manage_link_is_unreadable_and_the_delivered_one_works(app, client, mailing,
                                                                         edition_ids):
    assert register(client, edition_ids).status_code in (200, 302)
    queued = raw_rows(app, "outbox_message")
    assert "ada@example.org" in queued and "manage-registration" not in queued
    with app.app_context():
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).sent == 1
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.status == OutboxStatus.SENT and message.sent_at is not None
        assert message.subject and message.to_address == "ada@example.org"
    token = LINK.search(mailing.bodies[-1]).group(1)
    delivered = raw_rows(app, "outbox_message")
    assert token not in queued and token not in delivered
    assert "manage-registration" not in delivered
    page = client.get(f"/manage-registration/{token}")
    assert page.status_code == 200 and "Lovelace" in page.get_data(as_text=True)


def test_a_failed_then_retried_message_stays_sealed_and_drops_its_body(app, client, mailing,
                                                                        smtp, edition_ids):
    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1)  # nothing listens there
    register(client, edition_ids)
    with app.app_context():
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).failed == 1
        failed = raw_rows(app, "outbox_message")
        app.config.update(MAIL_PORT=smtp.port)
        retry_message(db.session.scalar(sa.select(OutboxMessage)), datetime.now(UTC))
        db.session.commit()
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).sent == 1
        bodies = db.session.execute(sa.text("SELECT text_body, html_body FROM outbox_message"))
        assert bodies.all() == [("", "")]
    token = LINK.search(mailing.bodies[-1]).group(1)
    assert "manage-registration" not in failed and token not in failed
    assert client.get(f"/manage-registration/{token}").status_code == 200


def test_an_invitation_code_is_kept_only_in_the_mail(app, client, auth, mailing):
    auth.create()
    auth.login()
    with app.app_context():
        edition = make_edition(slug="2027")
        open_registration(edition, now=NOW - timedelta(days=1), mode=RegistrationMode.INVITATION)
        configuration.invite(edition, ["invited@example.org"], now=NOW, site=MAIL_SITE)
        db.session.commit()
        edition_id = edition.id
    queued = raw_rows(app, "outbox_message") + raw_rows(app, "invitation")
    with app.app_context():
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).sent == 1
    code = mailing.bodies[-1].split("invitation code is ")[1].split(".")[0].strip()
    stored = raw_rows(app, "outbox_message") + raw_rows(app, "invitation")
    with app.test_request_context():
        page_url = url_for("registration.manage_invitations", edition_id=edition_id)
    page = client.get(page_url).get_data(as_text=True)
    assert len(code) >= 12 and "invited@example.org" in page
    assert code not in queued and code not in stored and code not in page


def test_the_mail_page_shows_no_body_of_a_failed_message(app, client, auth, mailing, edition_ids):
    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=1)
    register(client, edition_ids)
    with app.app_context():
        deliver_pending(datetime.now(UTC), smtp_settings(app.config))
        body = db.session.scalar(sa.select(OutboxMessage.text_body))
    auth.create()
    auth.login()
    page = client.get("/manage/mail/").get_data(as_text=True)
    assert "ada@example.org" in page and "manage-registration" in body
    assert "manage-registration" not in page


def test_a_message_sealed_under_another_key_fails_naming_the_setting(app, client, mailing,
                                                                     edition_ids):
    register(client, edition_ids)
    app.config["MAIL_BODY_KEY"] = "another-key-" + "z" * 32
    with app.app_context():
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).failed == 1
        message = db.session.scalar(sa.select(OutboxMessage))
        assert "MAIL_BODY_KEY" in message.last_error
    assert mailing.bodies == []


def test_the_worker_refuses_to_start_with_a_key_that_opens_no_queued_message(app, client,
                                                                             mailing, edition_ids):
    register(client, edition_ids)
    app.config["MAIL_BODY_KEY"] = "another-key-" + "z" * 32
    worker = MailWorker(app, poll=0.01)
    stop = threading.Timer(10, worker.stop)  # a worker that starts anyway is stopped, and fails
    stop.start()
    with pytest.raises(SystemExit, match="configuration error: .*MAIL_BODY_KEY"):
        worker.run()
    stop.cancel()
    assert mailing.bodies == []


def test_a_short_mail_body_key_stops_the_app_naming_it():
    with pytest.raises(ConfigurationError, match="MAIL_BODY_KEY is too short"):
        environment_config({"MAIL_BODY_KEY": "short"})
    assert environment_config({"MAIL_BODY_KEY": KEY})["MAIL_BODY_KEY"] == KEY


def test_manage_links_end_when_the_editions_retention_ends(app):
    with app.app_context():
        edition = make_edition(slug="2027")  # ends on 2027-03-29
        issued = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
        open_registration(edition, now=issued)
        registration = service.register(
            edition, service.Registrant(given_name="Ada", family_name="Lovelace",
                                        email="ada@example.org", country="FR"),
            category_id=registration_category(edition).id, consent=True, now=issued,
            site=replace(MAIL_SITE, retention_days=30))
        token = issue_token(registration, issued, retention_days=30)
        db.session.flush()
        end = datetime(2027, 4, 29, tzinfo=UTC)  # purge_after: ends_on + 30 + 1 days
        expiry = db.session.scalar(sa.select(sa.func.max(AccessToken.expires_at)))
        assert expiry == end < issued + TOKEN_LIFETIME
        assert registration_for_token(token, end - timedelta(seconds=1)) is registration
        assert registration_for_token(token, end) is None


def test_manage_links_last_their_lifetime_when_retention_is_longer(app):
    with app.app_context():
        edition = make_edition(slug="2027")
        issued = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
        open_registration(edition, now=issued)
        registration = service.register(
            edition, service.Registrant(given_name="Ada", family_name="Lovelace",
                                        email="ada@example.org", country="FR"),
            category_id=registration_category(edition).id, consent=True, now=issued,
            site=replace(MAIL_SITE, retention_days=3650))
        issue_token(registration, issued, retention_days=3650)
        db.session.flush()
        expiry = db.session.scalar(sa.select(sa.func.max(AccessToken.expires_at)))
        assert expiry == issued + TOKEN_LIFETIME
