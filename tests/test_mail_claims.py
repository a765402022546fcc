"""Several senders at once never deliver a message twice; the worker command stops cleanly."""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import Batch, claim_next, deliver_pending, smtp_settings
from meetings.mail.service import queue_message
from meetings.models import utcnow
from tests.conftest import POSTGRES_URL
from tests.process_output import Output

ROOT = Path(__file__).resolve().parents[1]
FLASK = str(Path(sys.executable).parent / "flask")


@pytest.mark.skipif(not POSTGRES_URL, reason="row claims with SKIP LOCKED need postgres")
def test_a_claimed_message_is_skipped_by_another_sender(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        now = utcnow()
        for n in range(3):
            queue_message(f"p{n}@example.org", "Hello", "Body", now=now)
        db.session.commit()
        claimed = claim_next(now, None, [])  # this sender holds the first row
        results = []

        def other_sender():
            with app.app_context():
                results.append(deliver_pending(now, smtp_settings(app.config)))

        thread = threading.Thread(target=other_sender)
        thread.start()
        thread.join(15)
        assert results == [Batch(sent=2)]
        db.session.rollback()
        statuses = dict(db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.status)).all())
        assert statuses[claimed.id] == OutboxStatus.PENDING
        assert sorted(statuses.values()).count(OutboxStatus.SENT) == 2


def start_worker(app, smtp_port: int, *options: str) -> tuple[subprocess.Popen, Output]:
    """`flask --app app meetings mail-worker` in its own process, on the test's database."""
    # This process queues; both encrypt and decrypt bodies with the same MAIL_BODY_KEY.
    body_key = "worker-body-key-" + "0" * 32
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_port, MAIL_BODY_KEY=body_key)
    env = {key: value for key, value in os.environ.items() if not key.startswith("MAIL_")}
    env.update(DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               SECRET_KEY="worker-test-" + "0" * 32, MAIL_BODY_KEY=body_key,
               MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_TIMEOUT="2",
               PYTHONUNBUFFERED="1")
    process = subprocess.Popen([FLASK, "--app", "app", "meetings", "mail-worker", *options],
                               cwd=ROOT, env=env, stderr=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, text=True)
    output = Output(process.stderr)
    assert "started" in output.wait_for("started"), "".join(output.lines)
    return process, output


def stop_worker(process: subprocess.Popen, output: Output) -> int:
    process.send_signal(signal.SIGTERM)
    try:
        return process.wait(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        output.close()


def wait_for_messages(inbox, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while len(inbox.messages) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_the_worker_command_delivers_and_stops_cleanly_on_sigterm(app, smtp_server):
    process, output = start_worker(app, smtp_server.port, "--poll", "0.2")
    try:
        with app.app_context():
            queue_message("ada@example.org", "From the worker", "Body", now=datetime.now(UTC))
            db.session.commit()
        wait_for_messages(smtp_server.inbox, 1, timeout=15)
    finally:
        code = stop_worker(process, output)
    assert [m["Subject"] for m in smtp_server.inbox.messages] == ["From the worker"]
    assert code == 0 and "stopped" in "".join(output.lines)


@pytest.mark.skipif(not POSTGRES_URL, reason="NOTIFY and SKIP LOCKED need postgres")
def test_two_workers_woken_by_notify_never_send_a_message_twice(app, smtp_server):
    # They would look only every 30 s on their own: a quick delivery means NOTIFY woke them.
    workers = [start_worker(app, smtp_server.port, "--poll", "30", "--idle", "30")
               for _ in range(2)]
    time.sleep(0.5)  # both past their first (empty) pass, waiting
    try:
        with app.app_context():
            for n in range(200):
                queue_message(f"p{n}@example.org", f"Message {n}", "Body", now=datetime.now(UTC))
            db.session.commit()
        # Within 25 s, while each worker would look again only after 30 s: NOTIFY woke them.
        wait_for_messages(smtp_server.inbox, 200, timeout=25)
        time.sleep(0.5)  # a duplicate would arrive now
    finally:
        codes = [stop_worker(*worker) for worker in workers]
    subjects = [m["Subject"] for m in smtp_server.inbox.messages]
    assert len(subjects) == 200 and len(set(subjects)) == 200
    assert codes == [0, 0]
    sent_by = [sum(int(n) for n in re.findall(r"Mail: (\d+) sent", "".join(output.lines)))
               for _, output in workers]
    assert sum(sent_by) == 200 and min(sent_by) > 0  # both took part
    with app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage.status, OutboxMessage.attempts)).all()
    assert set(rows) == {(OutboxStatus.SENT, 1)}
