"""/health: 200 while the host reaches its database (mail delays reported, not fatal), 503 when
it does not, never cached, never telling more than that."""

import logging
import socket
import threading
from datetime import timedelta

import pytest

from meetings import create_app
from meetings.config import CONNECT_TIMEOUT_S
from meetings.extensions import db
from meetings.health.service import MAIL_DELAY_LIMIT, check
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.models import utcnow
from tests.factories import SUITE_START

# A PostgreSQL URL nobody listens on (port 9, discard), with a password that must not leak.
UNREACHABLE_URL = "postgresql+psycopg://meetings:s3cret-pass@127.0.0.1:9/meetings"


def add_message(*, due: timedelta, status=OutboxStatus.PENDING, attempts=0, now=None):
    """A message that fell due `due` before now (negative: due later)."""
    now = now or utcnow()
    db.session.add(OutboxMessage(to_address="person@example.org", subject="Hello",
                                 text_body="Body", status=status, attempts=attempts,
                                 created_at=now - abs(due) - timedelta(hours=1),
                                 next_attempt_at=now - due))
    db.session.commit()


def test_a_host_that_reaches_its_database_answers_ok(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "mail": "ok"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers


def test_head_answers_the_same_status_without_a_body(client):
    response = client.head("/health")
    assert response.status_code == 200
    assert response.data == b""


@pytest.mark.parametrize(("due", "delayed"), [
    (MAIL_DELAY_LIMIT + timedelta(seconds=1), True),
    (MAIL_DELAY_LIMIT - timedelta(seconds=1), False),
    (-timedelta(minutes=5), False),  # retrying later: waiting for its back-off, not for a worker
])
def test_mail_is_delayed_only_when_a_due_message_waited_past_the_limit(app, due, delayed):
    with app.app_context():
        add_message(due=due, attempts=0 if due > timedelta(0) else 3, now=SUITE_START)
        report = check(SUITE_START)
    assert report.database_reachable and report.serving
    assert report.mail_delayed is delayed


def test_delivered_and_failed_messages_never_count_as_waiting(app):
    with app.app_context():
        add_message(due=timedelta(days=2), status=OutboxStatus.SENT, now=SUITE_START)
        add_message(due=timedelta(days=2), status=OutboxStatus.FAILED, now=SUITE_START)
        assert check(SUITE_START).mail_delayed is False


def test_delayed_mail_is_reported_but_the_host_keeps_serving(app, client):
    with app.app_context():
        add_message(due=timedelta(hours=1))
    response = client.get("/health")
    assert response.status_code == 200  # a load balancer must not drop the host for this
    assert response.get_json() == {"status": "degraded",
                                   "checks": {"database": "ok", "mail": "delayed"}}


def test_an_unreachable_database_answers_503_and_says_no_more(app_config, caplog):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": UNREACHABLE_URL})
    with caplog.at_level(logging.WARNING, logger="meetings.health"):
        response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable",
                                   "checks": {"database": "unreachable"}}
    assert response.headers["Cache-Control"] == "no-store"
    assert "Content-Security-Policy" in response.headers
    body = response.get_data(as_text=True)
    assert "127.0.0.1" not in body and "s3cret" not in body
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "database unreachable" in logged
    assert "s3cret" not in logged
    # The next request finds the session usable again, not stuck in a failed state.
    assert app.test_client().get("/health").status_code == 503
    with app.app_context():
        db.engine.dispose()


def test_a_database_that_accepts_and_never_answers_gives_503_not_a_hung_worker(app_config):
    """A server that takes the connection and says nothing (a hung host behind a forwarder):
    the check gives up after CONNECT_TIMEOUT_S instead of waiting for gunicorn's kill."""
    with socket.create_server(("127.0.0.1", 0)) as silent:  # the kernel accepts; nobody answers
        url = f"postgresql+psycopg://meetings@127.0.0.1:{silent.getsockname()[1]}/meetings"
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        answered = {}
        asking = threading.Thread(target=lambda: answered.update(
            status=app.test_client().get("/health").status_code))
        asking.start()
        asking.join(timeout=30)
        assert not asking.is_alive(), "/health still waits for a database that never answers"
        assert answered["status"] == 503
        with app.app_context():
            db.engine.dispose()


def test_postgresql_urls_get_a_connect_timeout_unless_they_set_one(app_config):
    made = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": UNREACHABLE_URL})
    assert made.config["SQLALCHEMY_DATABASE_URI"] == \
        f"{UNREACHABLE_URL}?connect_timeout={CONNECT_TIMEOUT_S}"
    own = create_app({**app_config,
                      "SQLALCHEMY_DATABASE_URI": UNREACHABLE_URL + "?connect_timeout=20"})
    assert own.config["SQLALCHEMY_DATABASE_URI"].endswith("?connect_timeout=20")
    sqlite = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": "sqlite:///x.db"})
    assert sqlite.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:///x.db"
