"""Mail leaves the request: the worker delivers, a hung or refusing server blocks nothing."""

import asyncio
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import Batch, deliver_pending, smtp_settings
from meetings.mail.service import clean_header, queue_message
from meetings.mail.worker import MailWorker
from tests.conftest import POSTGRES_URL
from tests.factories import make_edition, open_registration, registration_category
from tests.smtp import Inbox, free_port

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def silent_server():
    """A server that accepts TCP connections and never answers: a hung SMTP server."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    listener.settimeout(0.1)
    accepted, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield SimpleNamespace(port=listener.getsockname()[1], accepted=accepted)
    stop.set()
    thread.join(2)
    listener.close()
    for connection in accepted:
        connection.close()


def use_server(app, port: int, **extra) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_FROM="mail@meetings.test",
                      **extra)


def open_edition(app, title=None) -> int:
    """A published edition open for registration now; returns its government category id."""
    now = datetime.now(UTC)
    with app.app_context():
        edition = make_edition(slug="2027", title=title)
        open_registration(edition, now=now)
        category_id = registration_category(edition).id
        db.session.commit()
    return category_id


def register(client, category_id, email="ada@example.org"):
    return client.post("/2027/register", data={
        "given_name": "Ada", "family_name": "Lovelace", "email": email,
        "organization": "INTERPOL", "country": "FR", "category": str(category_id),
        "language": "en", "consent": "y"})


def outbox(app) -> list[OutboxMessage]:
    with app.app_context():
        messages = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()
        db.session.expunge_all()
    return messages


def test_a_registration_answers_at_once_while_the_smtp_server_hangs(app, client, silent_server):
    use_server(app, silent_server.port, MAIL_TIMEOUT=3.0)
    category_id = open_edition(app)
    response = register(client, category_id)
    assert response.status_code == 302
    # Before the worker, the request sent the mail itself and waited for the SMTP timeout; now
    # no request opens an SMTP connection at all, so nothing can make it wait.
    assert silent_server.accepted == []
    [message] = outbox(app)
    assert message.status == OutboxStatus.PENDING and message.attempts == 0


def test_the_worker_gives_up_on_a_hung_server_within_its_timeout_and_retries_later(
        app, silent_server, smtp_server):
    use_server(app, silent_server.port, MAIL_TIMEOUT=0.5)
    with app.app_context():
        for n in range(3):
            queue_message(f"p{n}@example.org", f"Hello {n}", "Body", now=NOW)
        db.session.commit()
        batch = deliver_pending(NOW, smtp_settings(app.config))
    # One connection, one timeout for the whole batch: not one wait per message.
    assert len(silent_server.accepted) == 1
    assert (batch.retrying, batch.sent, batch.failed) == (1, 0, 0)
    assert "timed out" in batch.unreachable
    first, *rest = outbox(app)
    assert first.attempts == 1 and "timed out" in first.last_error
    assert first.next_attempt_at == NOW + timedelta(seconds=30)
    assert [m.attempts for m in rest] == [0, 0]  # not charged for the server's silence
    use_server(app, smtp_server.port)
    with app.app_context():
        settings = smtp_settings(app.config)
        assert deliver_pending(NOW + timedelta(seconds=10), settings) == Batch(sent=2)
        assert deliver_pending(NOW + timedelta(seconds=31), settings) == Batch(sent=1)
    assert sorted(m["Subject"] for m in smtp_server.inbox.messages) == [
        "Hello 0", "Hello 1", "Hello 2"]


def test_a_line_break_in_the_edition_title_neither_fails_the_request_nor_stops_mail(
        app, client, smtp_server):
    use_server(app, smtp_server.port)
    category_id = open_edition(app, title="Global Meeting\r\nBcc: everyone@example.org")
    assert register(client, category_id).status_code == 302
    [message] = outbox(app)
    assert message.subject == ("Please confirm your registration for Global Meeting "
                               "Bcc: everyone@example.org")
    with app.app_context():
        assert deliver_pending(datetime.now(UTC), smtp_settings(app.config)) == Batch(sent=1)
    [received] = smtp_server.inbox.messages
    assert received["Bcc"] is None  # folded onto one logical line, no header of its own
    assert " ".join(received["Subject"].split()) == message.subject


@pytest.mark.parametrize(("text", "cleaned"), [
    ("Hello\nBcc: x@example.org", "Hello Bcc: x@example.org"),
    ("a\r\n\tb", "a b"),
    ("line\u2028separator\u0085next\x00", "line separator next"),
    ("  ada@example.org\n", "ada@example.org"),
])
def test_header_fields_are_cleaned_to_one_line(text, cleaned):
    assert clean_header(text, 300) == cleaned


class Refusing(Inbox):
    """Refuses one recipient for good (550); takes everything else."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("gone@"):
            return "550 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_a_bad_row_never_blocks_the_rows_behind_it(app, runner):
    inbox = Refusing()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    use_server(app, server.port)
    now = datetime.now(UTC) - timedelta(minutes=1)
    with app.app_context():
        # Rows written before queue_message cleaned headers: this one cannot be built.
        db.session.add(OutboxMessage(to_address="eve@example.org", subject="Hi\nBcc: all@x.org",
                                     text_body="Injected", created_at=now, next_attempt_at=now))
        queue_message("gone@example.org", "Refused", "No such user", now=now)
        queue_message("ada@example.org", "Behind them", "Still delivered", now=now)
        db.session.commit()
    try:
        result = runner.invoke(args=["meetings", "send-mail"])
        again = runner.invoke(args=["meetings", "send-mail"])
    finally:
        server.stop()
    assert result.exit_code == 0 and again.exit_code == 0
    assert "Sent 1 message(s); 0 kept for a later attempt; 2 failed." in result.output
    assert "Sent 0 message(s)" in again.output
    bad, refused, good = outbox(app)
    assert bad.status == OutboxStatus.FAILED and "cannot build" in bad.last_error
    assert refused.status == OutboxStatus.FAILED and "550" in refused.last_error
    assert good.status == OutboxStatus.SENT
    assert [m["Subject"] for m in inbox.messages] == ["Behind them"]


def test_a_message_fails_after_the_most_attempts_and_stays_out_of_the_way(app):
    use_server(app, free_port(), MAIL_MAX_ATTEMPTS=3)  # nothing listens: refused every time
    with app.app_context():
        queue_message("ada@example.org", "Doomed", "Body", now=NOW)
        db.session.commit()
        settings = smtp_settings(app.config)
        results = [deliver_pending(NOW + timedelta(hours=hour), settings) for hour in range(4)]
    assert [(b.retrying, b.failed) for b in results] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    [message] = outbox(app)
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert "after 3 attempts" in message.last_error
    assert message.last_attempt_at == NOW + timedelta(hours=2)


def test_the_worker_delivers_what_is_queued_while_it_runs_and_stops_when_asked(
        app, smtp_server):
    use_server(app, smtp_server.port)
    digests = []
    worker = MailWorker(app, poll=0.1, periodic=digests.append)
    thread = threading.Thread(target=worker.run)
    thread.start()
    try:
        with app.app_context():
            queue_message("ada@example.org", "While running", "Body", now=datetime.now(UTC))
            db.session.commit()
        deadline = time.monotonic() + 10
        while not smtp_server.inbox.messages and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        thread.join(5)
    assert not thread.is_alive()
    assert [m["Subject"] for m in smtp_server.inbox.messages] == ["While running"]
    assert len(digests) == 1  # the periodic task (agenda-change digests) ran once


class Slow(Inbox):
    """Takes a quarter of a second to accept each message."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.25)
        return await super().handle_DATA(server, session, envelope)


def test_stopping_ends_the_batch_after_the_current_message(app):
    inbox = Slow()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    use_server(app, server.port)
    with app.app_context():
        for n in range(20):
            queue_message(f"p{n}@example.org", f"Hello {n}", "Body", now=datetime.now(UTC))
        db.session.commit()
    worker = MailWorker(app, poll=0.1)
    thread = threading.Thread(target=worker.run)
    try:
        thread.start()
        deadline = time.monotonic() + 10
        while not inbox.messages and time.monotonic() < deadline:
            time.sleep(0.01)
        worker.stop()
        thread.join(2)
    finally:
        server.stop()
    assert not thread.is_alive()
    messages = outbox(app)
    assert 1 <= sum(m.status == OutboxStatus.SENT for m in messages) <= 3
    assert all(m.attempts == 0 for m in messages if m.status == OutboxStatus.PENDING)


def test_a_batch_reads_the_bodies_with_its_claim_not_one_query_per_message(app, smtp_server):
    use_server(app, smtp_server.port)
    with app.app_context():
        for n in range(10):
            queue_message(f"p{n}@example.org", f"Hello {n}", f"Body {n}", now=NOW)
        db.session.commit()
        selects = []

        def count(_connection, _cursor, statement, *_):
            if statement.lstrip().upper().startswith("SELECT"):
                selects.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            batch = deliver_pending(NOW, smtp_settings(app.config))
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert batch.sent == 10
    bodies = sorted(body.strip() for body in smtp_server.inbox.bodies())
    assert bodies == [f"Body {n}" for n in range(10)]
    assert len(selects) == 3  # the claim of ten, their bodies, then the empty claim


class Peers(Inbox):
    """Also notes the client address and port of each message: one per SMTP connection."""

    def __init__(self):
        super().__init__()
        self.peers: list = []

    async def handle_DATA(self, server, session, envelope):
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


@pytest.mark.skipif(not POSTGRES_URL, reason="the worker is woken by NOTIFY on postgres only")
def test_messages_queued_in_quick_succession_share_one_pass_and_connection(app):
    inbox = Peers()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    use_server(app, server.port)
    worker = MailWorker(app, poll=30, idle=30, gather=0.5)
    thread = threading.Thread(target=worker.run)
    try:
        thread.start()
        time.sleep(0.5)  # past its first, empty pass: waiting for a notification
        with app.app_context():
            for n in range(5):  # five requests, each committing its own message
                queue_message(f"p{n}@example.org", f"Hello {n}", "Body", now=datetime.now(UTC))
                db.session.commit()
                time.sleep(0.03)
        deadline = time.monotonic() + 10
        while len(inbox.messages) < 5 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
        thread.join(5)
        server.stop()
    assert sorted(m["Subject"] for m in inbox.messages) == [f"Hello {n}" for n in range(5)]
    assert len(set(inbox.peers)) == 1
