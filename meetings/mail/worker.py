"""The mail worker: a long-running process that delivers the outbox (`meetings mail-worker`).

On PostgreSQL it LISTENs on the channel queue_message notifies, so a message goes out as soon
as the transaction that queued it commits (after `gather` seconds, so that the messages of a
rush share one pass and one SMTP connection); it still looks every `idle` seconds, and whenever a
retry falls due. Elsewhere (SQLite), or while the LISTEN connection is down, it polls every
`poll` seconds. Several workers, on several hosts, may run at once: each message is claimed
with SELECT … FOR UPDATE SKIP LOCKED, so none is sent twice. stop() (SIGTERM, SIGINT) lets the
current message finish, then the worker returns.
"""

import logging
import os
import select
import threading
import time
from collections.abc import Callable
from datetime import datetime

import psycopg
import sqlalchemy as sa
from flask import Flask

from meetings.database import end_unwritten_transaction
from meetings.extensions import db
from meetings.mail.encryption import UnreadableBody
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.sender import Batch, deliver_pending, smtp_settings
from meetings.mail.service import CHANNEL
from meetings.models import utcnow

log = logging.getLogger("meetings.mail")
MAX_OUTAGE_PAUSE = 300.0


class MailWorker:
    """Deliver due messages, then sleep until notified, a retry is due, or stopped."""

    def __init__(self, app: Flask, *, poll: float = 2.0, idle: float = 30.0, batch: int = 100,
                 gather: float = 0.1, periodic: Callable[[datetime], None] | None = None,
                 period: float = 60.0):
        self.app, self.poll, self.idle, self.batch, self.gather = app, poll, idle, batch, gather
        self.periodic, self.period, self.periodic_at = periodic, period, 0.0
        self.stopping = threading.Event()
        self.wake_read, self.wake_write = os.pipe()
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)
        self.listener: psycopg.Connection | None = None
        self.conninfo = listen_conninfo(app.config["SQLALCHEMY_DATABASE_URI"])

    def stop(self) -> None:
        """Ask the worker to finish the current message and return (safe in a signal handler)."""
        self.stopping.set()
        try:
            os.write(self.wake_write, b"x")
        except (BlockingIOError, OSError):
            pass

    def run(self) -> None:
        """Deliver until stopped."""
        outages = 0
        log.info("Mail worker %s started (%s)", os.getpid(),
                 "LISTEN " + CHANNEL if self.conninfo else f"polling every {self.poll:g} s")
        with self.app.app_context():
            try:
                refuse_a_wrong_key()
                while not self.stopping.is_set():
                    self.listen()  # before reading, so a commit after this pass still wakes us
                    self.run_periodic()
                    batch = self.deliver()
                    if batch is None or batch.unreachable:
                        outages += 1
                        self.wait(min(self.poll * 2 ** outages, MAX_OUTAGE_PAUSE), notified=False)
                        continue
                    outages = 0
                    if batch.tried < self.batch:
                        self.wait(self.until_due())
            finally:
                self.close()
        log.info("Mail worker %s stopped", os.getpid())

    def deliver(self) -> Batch | None:
        """One pass; a database error is logged and tried again later (None)."""
        try:
            batch = deliver_pending(utcnow(), smtp_settings(self.app.config), limit=self.batch,
                                    stopping=self.stopping)
            if batch.tried:
                log.info("Mail: %s sent, %s to retry, %s failed", batch.sent, batch.retrying,
                         batch.failed)
            return batch
        except Exception:  # noqa: BLE001 - the worker outlives a database outage
            log.exception("Mail worker: delivery pass failed")
            return None
        finally:
            finish_session()

    def run_periodic(self) -> None:
        """Run the periodic task (agenda-change digests) at most once per period."""
        if self.periodic is None or time.monotonic() - self.periodic_at < self.period:
            return
        self.periodic_at = time.monotonic()
        try:
            self.periodic(utcnow())
        except Exception:  # noqa: BLE001 - mail delivery goes on regardless
            log.exception("Mail worker: periodic task failed")
        finally:
            finish_session()

    def until_due(self) -> float:
        """Seconds to sleep: until the next retry is due, at most idle (or poll, unnotified)."""
        longest = self.idle if self.listener is not None else self.poll
        try:
            due = db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at))
                                    .where(OutboxMessage.status == OutboxStatus.PENDING))
        except Exception:  # noqa: BLE001 - a failing database is noticed by the next pass
            return longest
        finally:
            finish_session()
        if due is None:
            return longest
        return min(longest, max((due - utcnow()).total_seconds() + 0.05, 0.0))

    def wait(self, seconds: float, notified: bool = True) -> None:
        """Sleep up to `seconds`; return early when stopped or (if `notified`) `gather` seconds
        after the first NOTIFY, so that messages queued meanwhile go out in the same pass."""
        deadline = time.monotonic() + seconds
        while not self.stopping.is_set() and (remaining := deadline - time.monotonic()) > 0:
            sources = [self.wake_read] + ([self.listener.fileno()] if self.listener else [])
            ready, _, _ = select.select(sources, [], [], remaining)
            if self.wake_read in ready:
                drain(self.wake_read)
            if self.listener is not None and self.listener.fileno() in ready:
                if self.drain_notifications() and notified:
                    deadline = min(deadline, time.monotonic() + self.gather)
                    notified = False  # later notifications do not move the deadline

    def listen(self) -> None:
        """Open the LISTEN connection if there is none (PostgreSQL only)."""
        if self.conninfo is None or self.listener is not None:
            return
        try:
            self.listener = psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5)
            self.listener.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as error:
            log.warning("Mail worker cannot LISTEN (%s); polling every %g s", error, self.poll)
            self.close_listener()

    def drain_notifications(self) -> bool:
        """Consume what arrived; True if it included a notification."""
        try:
            return bool(list(self.listener.notifies(timeout=0)))
        except psycopg.Error as error:
            log.warning("Mail worker lost its LISTEN connection (%s)", error)
            self.close_listener()
            return True  # look now: a notification may have been lost with it

    def close_listener(self) -> None:
        listener, self.listener = self.listener, None
        if listener is not None:
            listener.close()

    def close(self) -> None:
        self.close_listener()
        os.close(self.wake_read)
        os.close(self.wake_write)


def finish_session() -> None:
    """End the pass's session; a transaction that wrote nothing ends without a ROLLBACK, which
    would make psycopg forget its prepared statements (see end_unwritten_transaction)."""
    end_unwritten_transaction(db.session())
    db.session.remove()


def refuse_a_wrong_key() -> None:
    """Stop at once, naming the setting, when the newest queued body does not decrypt."""
    try:
        db.session.scalar(sa.select(OutboxMessage.text_body)
                          .where(OutboxMessage.status == OutboxStatus.PENDING,
                                 OutboxMessage.text_body != "")
                          .order_by(OutboxMessage.id.desc()).limit(1))
    except UnreadableBody as error:
        raise SystemExit(f"meetings: configuration error: {error}") from None
    except Exception:  # noqa: BLE001 - a database outage is the delivery loop's to wait out
        log.exception("Mail worker: cannot check the mail body key yet")
    finally:
        db.session.remove()


def listen_conninfo(uri: str) -> str | None:
    """A libpq connection string for PostgreSQL URLs, else None (the worker polls)."""
    url = sa.make_url(uri)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def drain(fd: int) -> None:
    try:
        while os.read(fd, 64):
            pass
    except BlockingIOError:
        pass
