"""Manage → Mail: counts, failed messages with their error, and Retry (administrators only)."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from meetings import create_app
from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import Batch, deliver_pending, smtp_settings
from meetings.mail.service import queue_message
from meetings.models import AuditEntry
from tests.conftest import ADMIN_EMAIL, ADMIN_PASSWORD
from tests.smtp import Inbox, free_port

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def failed_mail(app):
    """Three attempts against a server that is down: one message failed, one retrying."""
    port = free_port()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_MAX_ATTEMPTS=3)
    with app.app_context():
        queue_message("ada@example.org", "Your link for 2027", "SECRET-LINK-BODY", now=NOW)
        for hour in range(3):
            deliver_pending(NOW + timedelta(hours=hour), smtp_settings(app.config))
        queue_message("bob@example.org", "Still trying", "Body", now=NOW)
        queue_message("cy@example.org", "Not yet tried", "Body", now=NOW + timedelta(days=1))
        db.session.add(OutboxMessage(to_address="done@example.org", subject="Done",
                                     text_body="Body", status=OutboxStatus.SENT, sent_at=NOW,
                                     created_at=NOW, next_attempt_at=NOW))
        db.session.commit()
        # bob's first attempt; cy is not due
        deliver_pending(NOW + timedelta(hours=3), smtp_settings(app.config))
        ids = dict(db.session.execute(sa.select(OutboxMessage.to_address, OutboxMessage.id)).all())
    return {"port": port, "ids": ids}


def counts_on(page: str) -> dict[str, str]:
    return {kind: page.split(f'data-count="{kind}">')[1].split("<")[0]
            for kind in ("pending", "retrying", "failed", "sent")}


def test_the_mail_page_shows_counts_and_failed_messages_without_bodies(client, admin,
                                                                        failed_mail):
    page = client.get("/manage/mail/").get_data(as_text=True)
    assert counts_on(page) == {"pending": "1", "retrying": "1", "failed": "1", "sent": "1"}
    failed = page.split("<h2>Failed</h2>")[1].split("<h2>")[0]
    assert "ada@example.org" in failed and "Your link for 2027" in failed
    assert "ConnectionRefusedError" in failed and "after 3 attempts" in failed
    assert "bob@example.org" in page.split("<h2>Retrying</h2>")[1]
    assert "SECRET-LINK-BODY" not in page
    assert f'action="/manage/mail/{failed_mail["ids"]["ada@example.org"]}/retry"' in failed
    assert 'href="/manage/mail/"' in client.get("/manage/").get_data(as_text=True)


def test_retry_sends_a_failed_message_again(app, client, admin, failed_mail):
    message_id = failed_mail["ids"]["ada@example.org"]
    response = client.post(f"/manage/mail/{message_id}/retry")
    assert response.status_code == 302
    with app.app_context():
        message = db.session.get(OutboxMessage, message_id)
        assert (message.status, message.attempts) == (OutboxStatus.PENDING, 0)
        assert db.session.scalar(sa.select(AuditEntry.action).order_by(
            AuditEntry.id.desc())) == "mail.retry"
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=failed_mail["port"])  # back up
    server.start()
    try:
        with app.app_context():
            assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)).sent >= 1
    finally:
        server.stop()
    assert "Your link for 2027" in [m["Subject"] for m in inbox.messages]
    page = client.get("/manage/mail/").get_data(as_text=True)
    assert counts_on(page)["failed"] == "0" and "No failed messages." in page


def test_retry_all_failed(app, client, admin, failed_mail):
    assert client.post("/manage/mail/retry-failed").status_code == 302
    with app.app_context():
        statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert OutboxStatus.FAILED not in statuses


def test_retry_needs_the_csrf_token(app, app_config, failed_mail, auth):
    guarded = create_app(dict(app_config, WTF_CSRF_ENABLED=True, MAIL_SERVER="127.0.0.1",
                              MAIL_PORT=failed_mail["port"]))
    client = guarded.test_client()
    auth.create()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD,
                                "csrf_token": token})
    message_id = failed_mail["ids"]["ada@example.org"]
    assert client.post(f"/manage/mail/{message_id}/retry").status_code == 400
    with guarded.app_context():
        db.engine.dispose()
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == OutboxStatus.FAILED


def test_the_mail_page_is_for_administrators(app, client, auth, failed_mail):
    message_id = failed_mail["ids"]["ada@example.org"]
    assert "/login" in client.get("/manage/mail/").headers["Location"]
    auth.create(email="organizer@example.org", is_admin=False)
    auth.login(email="organizer@example.org")
    assert client.get("/manage/mail/").status_code == 403
    assert client.post(f"/manage/mail/{message_id}/retry").status_code == 403
    assert client.get(f"/manage/mail/{message_id}/retry").status_code == 405
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).status == OutboxStatus.FAILED


def test_retry_leaves_a_message_that_has_not_failed_alone(app, client, admin, failed_mail):
    message_id = failed_mail["ids"]["bob@example.org"]
    client.post(f"/manage/mail/{message_id}/retry")
    with app.app_context():
        assert db.session.get(OutboxMessage, message_id).attempts == 1
        assert deliver_pending(NOW + timedelta(hours=3), smtp_settings(app.config)) == Batch()
