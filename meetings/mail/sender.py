"""Deliver due outbox rows over SMTP: one connection per batch, every failure caught per message.

Only the mail worker and `meetings send-mail` call this; no request talks to SMTP. A message
that cannot be built, or that the server refuses for good, is marked failed at once; other
failures are retried with back-off until MAIL_MAX_ATTEMPTS, then marked failed. When the
server cannot be reached (refused, timed out, dropped) the batch stops: the next messages would
only wait for the same timeout.
"""

import logging
import smtplib
import sys
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from meetings.extensions import db
from meetings.mail.encryption import UnreadableBody, unseal_stored
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.mail.service import terminal_text

log = logging.getLogger("meetings.mail")
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)
# Messages claimed and committed together: fewer round trips and commits per message; a crash
# between an SMTP server's "250 OK" and the commit may send at most this many twice.
CHUNK = 10


class Unreachable(Exception):
    """The SMTP server cannot be reached or stopped answering: end this batch."""


@dataclass
class Batch:
    """What one delivery pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unreachable: str = ""

    @property
    def tried(self) -> int:
        return self.sent + self.retrying + self.failed

    def count(self, status: OutboxStatus) -> None:
        if status == OutboxStatus.SENT:
            self.sent += 1
        elif status == OutboxStatus.FAILED:
            self.failed += 1
        else:
            self.retrying += 1


def backoff(attempts: int) -> timedelta:
    """Wait 30 s after the first failure, doubling each time, at most an hour."""
    return min(FIRST_BACKOFF * (2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The MIME message: plain text, with an HTML alternative when there is one."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    email.set_content(message.text_body)
    if message.html_body:
        email.add_alternative(message.html_body, subtype="html")
    return email


def smtp_settings(config) -> dict:
    """SMTP settings from the app config (typed, with defaults, by meetings.config)."""
    return {
        "server": config["MAIL_SERVER"],
        "port": config["MAIL_PORT"] or (587 if config["MAIL_USE_TLS"] else 25),
        "username": config["MAIL_USERNAME"],
        "password": config["MAIL_PASSWORD"],
        "use_tls": config["MAIL_USE_TLS"],
        "sender": config["MAIL_FROM"],
        "timeout": config["MAIL_TIMEOUT"],
        "max_attempts": config["MAIL_MAX_ATTEMPTS"],
    }


class Transport:
    """One SMTP connection for a batch, opened on the first message."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def send(self, message: OutboxMessage, email: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self.connect()
        self.smtp.send_message(email)

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            smtp = smtplib.SMTP(s["server"], s["port"], timeout=s["timeout"])
            if s["use_tls"]:
                smtp.starttls()
            if s["username"]:
                smtp.login(s["username"], s["password"])
        except (OSError, smtplib.SMTPException) as error:
            raise Unreachable(f"cannot use {s['server']}:{s['port']}: {describe(error)}") from error
        return smtp

    def close(self, polite: bool = True) -> None:
        """End the connection; after a timeout just drop it (QUIT would wait once more)."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit() if polite else smtp.close()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class Terminal:
    """Without MAIL_SERVER: print each message in full to the terminal (stderr)."""

    def send(self, message: OutboxMessage, email: EmailMessage) -> None:
        sys.stderr.write(terminal_text(message))
        sys.stderr.flush()

    def close(self, polite: bool = True) -> None:
        pass


def describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def due_messages(now: datetime, ids: list[int] | None = None, limit: int = 100) -> sa.Select:
    """Pending messages whose next attempt is due (optionally only the given ids)."""
    query = sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    else:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return query.order_by(OutboxMessage.id).limit(limit)


def deliver_pending(now: datetime, settings: dict, ids: list[int] | None = None,
                    limit: int = 100, stopping: threading.Event | None = None) -> Batch:
    """Send due messages over one connection; never raises because of one message.

    `settings` are the caller's `smtp_settings(config)`; without a server each message is
    printed to the terminal instead. Messages are claimed CHUNK at a time and their outcomes
    committed together, which releases the claims. `stopping` (the worker's shutdown flag) ends
    the batch after the current message.
    """
    transport = Transport(settings) if settings["server"] else Terminal()
    batch, tried = Batch(), []
    try:
        while len(tried) < limit and not batch.unreachable and not is_set(stopping):
            chunk = claim_due(now, ids, tried, min(CHUNK, limit - len(tried)))
            if not chunk:
                break
            for message in chunk:
                if batch.unreachable or is_set(stopping):
                    break  # the rest of the chunk stays pending, its claim released below
                tried.append(message.id)
                try:
                    deliver_one(transport, message, settings, now)
                except Unreachable as error:
                    batch.unreachable = str(error)
                    log.warning("SMTP server unreachable, batch stopped: %s", error)
                batch.count(message.status)
            db.session.commit()  # the outcomes, and the end of the claims
    finally:
        transport.close(polite=not batch.unreachable)
    return batch


def is_set(flag: threading.Event | None) -> bool:
    return flag is not None and flag.is_set()


def claim_due(now: datetime, ids: list[int] | None, tried: list[int],
              size: int) -> list[OutboxMessage]:
    """Lock the next due messages; other senders skip them (PostgreSQL), so none goes twice."""
    query = due_messages(now, ids, limit=size).with_for_update(skip_locked=True)
    if tried:
        query = query.where(OutboxMessage.id.not_in(tried))
    claimed = list(db.session.scalars(query))
    load_bodies(claimed)
    return claimed


def load_bodies(messages: list[OutboxMessage]) -> None:
    """The bodies of claimed messages in one query (loading each when it is built was a query
    per message). Each is decrypted on its own: one that does not decrypt stays unloaded, and
    fails only its own message when that is built."""
    if not messages:
        return
    by_id = {message.id: message for message in messages}
    sealed = db.session.execute(sa.select(
        OutboxMessage.id, sa.type_coerce(OutboxMessage.text_body, sa.Text),
        sa.type_coerce(OutboxMessage.html_body, sa.Text)).where(OutboxMessage.id.in_(by_id)))
    for message_id, text_body, html_body in sealed:
        try:
            bodies = unseal_stored(text_body), unseal_stored(html_body)
        except UnreadableBody:
            continue
        set_committed_value(by_id[message_id], "text_body", bodies[0])
        set_committed_value(by_id[message_id], "html_body", bodies[1])


def claim_next(now: datetime, ids: list[int] | None, tried: list[int]) -> OutboxMessage | None:
    """Lock the next due message (see claim_due)."""
    claimed = claim_due(now, ids, tried, 1)
    return claimed[0] if claimed else None


def deliver_one(transport, message: OutboxMessage, settings: dict, now: datetime) -> None:
    """Try one message and record the outcome on it; raises Unreachable to end the batch."""
    message.attempts += 1
    message.last_attempt_at = now
    try:
        email = build_email(message, settings["sender"])
    except Exception as error:  # noqa: BLE001 - a message that cannot be built never will be
        give_up(message, f"cannot build the message: {describe(error)}")
        return
    try:
        transport.send(message, email)
    except Unreachable as error:
        retry_later(message, str(error), now, settings["max_attempts"])
        raise
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if all(code >= 500 for code in codes):
            give_up(message, f"recipient refused: {error.recipients}")
        else:
            retry_later(message, f"recipient refused: {error.recipients}", now,
                        settings["max_attempts"])
    except (smtplib.SMTPResponseException, smtplib.SMTPNotSupportedError) as error:
        # The server answered about this message (smtplib has reset the transaction).
        retry_later(message, describe(error), now, settings["max_attempts"])
    except OSError as error:  # timed out or dropped (SMTPException is an OSError too)
        transport.close(polite=False)
        retry_later(message, describe(error), now, settings["max_attempts"])
        raise Unreachable(describe(error)) from error
    except Exception as error:  # noqa: BLE001 - this message's problem: go on with the next
        transport.close(polite=False)
        retry_later(message, describe(error), now, settings["max_attempts"])
    else:
        message.status, message.sent_at, message.last_error = OutboxStatus.SENT, now, ""
        # Delivered: the body (with its manage, reset or invitation link) is not kept.
        message.text_body = message.html_body = ""


def retry_later(message: OutboxMessage, error: str, now: datetime, max_attempts: int) -> None:
    """Keep the message pending with back-off, or give up after max_attempts attempts."""
    if message.attempts >= max_attempts:
        give_up(message, f"{error} (after {message.attempts} attempts)")
        return
    message.last_error = error[:500]
    message.next_attempt_at = now + backoff(message.attempts)
    log.warning("Email %s: attempt %s failed, next at %s: %s", message.id, message.attempts,
                message.next_attempt_at.isoformat(), error)


def give_up(message: OutboxMessage, error: str) -> None:
    """Mark the message failed: organizers see it under Manage → Mail and may retry it."""
    message.status, message.last_error = OutboxStatus.FAILED, error[:500]
    log.error("Email %s to %s failed: %s", message.id, message.to_address, error)
