"""The outbox and its SMTP sender, against a real SMTP server (aiosmtpd) started by the test."""

import email
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import Batch, backoff, deliver_pending, smtp_settings
from meetings.mail.service import queue_message
from tests.smtp import Inbox, free_port

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def mail_app_config(app_config, smtp_server):
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port),
                      MAIL_FROM="registration@meetings.test")
    return app_config


def test_queued_messages_are_delivered_over_smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port),
                      MAIL_FROM="registration@meetings.test")
    with app.app_context():
        queue_message("ada@example.org", "Héllo", "Plain ✓", "<p>Rich ✓</p>", now=NOW)
        db.session.commit()
        assert deliver_pending(NOW, smtp_settings(app.config)) == Batch(sent=1)
        message = db.session.scalar(sa.select(OutboxMessage))
        assert (message.status, message.sent_at, message.attempts) == (OutboxStatus.SENT, NOW, 1)
    received = smtp_server.inbox.messages[0]
    assert received["To"] == "ada@example.org"
    assert received["From"] == "registration@meetings.test"
    assert str(email.header.make_header(email.header.decode_header(received["Subject"]))) == "Héllo"
    assert smtp_server.inbox.bodies("plain")[0].strip() == "Plain ✓"
    assert smtp_server.inbox.bodies("html")[0].strip() == "<p>Rich ✓</p>"


def test_an_smtp_outage_loses_nothing(app):
    port = free_port()  # nothing listens here yet: the server is "down"
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(port))
    with app.app_context():
        queue_message("ada@example.org", "Kept", "Still here", now=NOW)
        db.session.commit()
        assert deliver_pending(NOW, smtp_settings(app.config)).retrying == 1
        message = db.session.scalar(sa.select(OutboxMessage))
        assert message.status == OutboxStatus.PENDING
        assert message.next_attempt_at == NOW + timedelta(seconds=30)
        assert "ConnectionRefusedError" in message.last_error
        settings = smtp_settings(app.config)
        assert deliver_pending(NOW + timedelta(seconds=10), settings) == Batch()  # not due yet
        inbox = Inbox()
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            assert deliver_pending(NOW + timedelta(seconds=31), settings) == Batch(sent=1)
        finally:
            server.stop()
    assert [m["Subject"] for m in inbox.messages] == ["Kept"]


def test_backoff_doubles_up_to_an_hour():
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff(20) == timedelta(hours=1)


def test_rolled_back_transactions_send_nothing(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    with app.app_context():
        queue_message("ada@example.org", "Never", "Rolled back", now=NOW)
        db.session.rollback()
        assert deliver_pending(NOW, smtp_settings(app.config)) == Batch()
    assert smtp_server.inbox.messages == []


def test_send_mail_command_retries_pending_messages(app, runner, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    with app.app_context():
        queue_message("ada@example.org", "Later", "From the command",
                      now=datetime.now(UTC) - timedelta(minutes=1))
        db.session.commit()
    result = runner.invoke(args=["meetings", "send-mail"])
    assert result.exit_code == 0
    assert "Sent 1 message(s)" in result.output
    assert smtp_server.inbox.messages[0]["Subject"] == "Later"


def test_a_delivered_message_keeps_no_body_and_so_no_live_link(app, smtp_server):
    """Reset, invitation and manage links must not stay readable in the database or backups."""
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_server.port))
    link = "https://meetings.test/password/reset/secret-token-123"
    with app.app_context():
        queue_message("ada@example.org", "Reset", f"Open {link}", f"<a href='{link}'>x</a>",
                      now=NOW)
        db.session.commit()
        deliver_pending(NOW, smtp_settings(app.config))
        message = db.session.scalar(sa.select(OutboxMessage))
        assert (message.status, message.subject, message.to_address) == (
            OutboxStatus.SENT, "Reset", "ada@example.org")
        assert (message.text_body, message.html_body) == ("", "")
    assert link in smtp_server.inbox.bodies("plain")[0]
