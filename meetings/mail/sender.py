"""Deliver pending outbox rows over SMTP (or to the log when no MAIL_SERVER is configured)."""

import logging
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, g

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus
from meetings.models import utcnow

log = logging.getLogger("meetings.mail")
MAX_BACKOFF = timedelta(hours=1)
FIRST_BACKOFF = timedelta(seconds=30)


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
    """SMTP settings from the app config (environment values arrive as strings)."""
    use_tls = str(config.get("MAIL_USE_TLS") or "").lower() in {"1", "true", "yes", "on"}
    return {
        "server": config.get("MAIL_SERVER") or "",
        "port": int(config.get("MAIL_PORT") or (587 if use_tls else 25)),
        "username": config.get("MAIL_USERNAME") or "",
        "password": config.get("MAIL_PASSWORD") or "",
        "use_tls": use_tls,
        "sender": config.get("MAIL_FROM") or "no-reply@localhost",
    }


class Transport:
    """One SMTP connection for a batch (or the log, in development)."""

    def __init__(self, settings: dict):
        self.settings = settings
        self.smtp = None

    def send(self, email: EmailMessage) -> None:
        if not self.settings["server"]:
            log.info("Email (no MAIL_SERVER set, not sent):\n%s", email.as_string())
            return
        if self.smtp is None:
            self.smtp = self.connect()
        self.smtp.send_message(email)

    def connect(self) -> smtplib.SMTP:
        s = self.settings
        smtp = smtplib.SMTP(s["server"], s["port"], timeout=10)
        if s["use_tls"]:
            smtp.starttls()
        if s["username"]:
            smtp.login(s["username"], s["password"])
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except smtplib.SMTPException:
                pass
            self.smtp = None


def due_messages(now: datetime, ids: list[int] | None = None, limit: int = 100) -> sa.Select:
    """Pending messages whose next attempt is due (optionally only the given ids)."""
    query = sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    else:
        query = query.where(OutboxMessage.next_attempt_at <= now)
    return query.order_by(OutboxMessage.id).limit(limit)


def deliver_pending(now: datetime, ids: list[int] | None = None,
                    limit: int = 100) -> tuple[int, int]:
    """Send due messages, committing each outcome; returns (sent, failed)."""
    settings = smtp_settings(current_app.config)
    transport = Transport(settings)
    sent = failed = 0
    tried: list[int] = []
    try:
        while len(tried) < limit and (message := claim_next(now, ids, tried)) is not None:
            tried.append(message.id)
            if deliver_one(transport, message, settings["sender"], now):
                sent += 1
            else:
                failed += 1
            db.session.commit()  # releases the claim together with the outcome
    finally:
        transport.close()
    return sent, failed


def claim_next(now: datetime, ids: list[int] | None, tried: list[int]) -> OutboxMessage | None:
    """Lock the next due message; another sender skips it (PostgreSQL), so none goes out twice."""
    query = due_messages(now, ids, limit=1).with_for_update(skip_locked=True)
    if tried:
        query = query.where(OutboxMessage.id.not_in(tried))
    return db.session.scalar(query)


def deliver_one(transport: Transport, message: OutboxMessage, sender: str, now: datetime) -> bool:
    """Try one message; on failure keep it pending and schedule the next attempt."""
    message.attempts += 1
    try:
        transport.send(build_email(message, sender))
    except (OSError, smtplib.SMTPException) as error:
        transport.close()
        message.last_error = str(error)[:500]
        message.next_attempt_at = now + backoff(message.attempts)
        log.warning("Email %s to outbox retry: %s", message.id, error)
        return False
    message.status = OutboxStatus.SENT
    message.sent_at = now
    message.last_error = ""
    return True


def send_queued() -> None:
    """After the request's commit: try the messages it queued at once (the CLI retries the rest)."""
    ids = g.pop("queued_mail_ids", None)
    if ids and current_app.config.get("MAIL_SEND_AFTER_COMMIT", True):
        deliver_pending(utcnow(), ids=ids)
