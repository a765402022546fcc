"""Queue messages in the outbox (inside the caller's transaction; nothing is sent here).

With MAIL_SERVER set the mail worker delivers them: on PostgreSQL the queuing transaction
notifies it (NOTIFY is delivered when that transaction commits, never if it rolls back),
elsewhere it polls. Without MAIL_SERVER (`make run`) each message is printed to the terminal
when its transaction commits and stored as sent, so the whole flow works on a laptop.
"""

import sys
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from meetings.extensions import db
from meetings.mail.models import OutboxMessage, OutboxStatus

CHANNEL = "meetings_mail"
PRINT_QUEUE = "meetings_mail_to_print"
# The engine execution option saying the app has no MAIL_SERVER (set by mail/printing.py).
PRINT_MAIL_OPTION = "meetings_prints_mail"


def clean_header(text: str, length: int) -> str:
    """One line of at most `length` characters: line breaks and control characters become spaces.

    A subject or address with a line break could inject headers, and the email library refuses
    to build it; cleaning when queuing keeps both the request and the worker safe.
    """
    spaced = "".join(" " if ch.isspace() or not ch.isprintable() else ch for ch in text)
    return " ".join(spaced.split())[:length]


def prints_mail() -> bool:
    """True when the app has no SMTP server: messages go to the terminal instead."""
    engine = db.session.get_bind(OutboxMessage)
    return bool(engine.get_execution_options().get(PRINT_MAIL_OPTION, False))


def queue_message(to_address: str, subject: str, text_body: str, html_body: str = "", *,
                  now: datetime, registration_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox; it is delivered after the surrounding transaction commits."""
    message = OutboxMessage(to_address=clean_header(to_address, 254),
                            subject=clean_header(subject, 300), text_body=text_body,
                            html_body=html_body, created_at=now, next_attempt_at=now,
                            registration_id=registration_id)
    printed = prints_mail()
    if printed:
        message.status, message.sent_at, message.attempts = OutboxStatus.SENT, now, 1
        message.last_attempt_at = now
        db.session.info.setdefault(PRINT_QUEUE, []).append(terminal_text(message))
    db.session.add(message)
    db.session.flush()
    if not printed:
        wake_worker()
    return message


def wake_worker() -> None:
    """Notify the mail worker when the current transaction commits (PostgreSQL; others poll)."""
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_notify(CHANNEL, "")))


def terminal_text(message: OutboxMessage) -> str:
    """The message as a person reads it: headers, then the whole plain-text body with its links."""
    rule = "-" * 72
    extra = f"\n[an HTML version of {len(message.html_body)} characters is not shown]" \
        if message.html_body else ""
    return (f"{rule}\nEmail (MAIL_SERVER is not set, so it is printed here, not sent)\n"
            f"To: {message.to_address}\nSubject: {message.subject}\n\n"
            f"{message.text_body.rstrip()}{extra}\n{rule}\n")


def print_committed(session: so.Session) -> None:
    """After a commit: print the messages that transaction queued (development only)."""
    for text in session.info.pop(PRINT_QUEUE, ()):
        sys.stderr.write(text)
    sys.stderr.flush()


def forget_rolled_back(session: so.Session, _previous_transaction=None) -> None:
    """A rolled-back transaction queued nothing: print none of its messages."""
    session.info.pop(PRINT_QUEUE, None)


sa.event.listen(so.Session, "after_commit", print_committed)
sa.event.listen(so.Session, "after_rollback", forget_rolled_back)


def retry_message(message: OutboxMessage, now: datetime) -> None:
    """Give a failed message a fresh set of attempts, starting now."""
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, now
    db.session.flush()
    wake_worker()


def failed_messages() -> sa.Select:
    """Messages given up on, most recent attempt first."""
    return (sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.last_attempt_at.desc(), OutboxMessage.id.desc()))


def retrying_messages() -> sa.Select:
    """Pending messages that have failed at least once, next attempt first."""
    return (sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.PENDING,
                                           OutboxMessage.attempts > 0)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id))


def mail_counts() -> dict[str, int]:
    """How many messages are pending, retrying, failed and delivered."""
    retrying = sa.and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts > 0)
    kind = sa.case((retrying, "retrying"), else_=sa.cast(OutboxMessage.status, sa.String(20)))
    rows = db.session.execute(sa.select(kind, sa.func.count()).group_by(kind)).all()
    counts = {"pending": 0, "retrying": 0, "failed": 0, "sent": 0}
    counts.update({str(name): number for name, number in rows})
    return counts


def oldest_due_message(now: datetime) -> datetime | None:
    """When the longest-waiting message that is due fell due (None when none waits)."""
    return db.session.scalar(sa.select(sa.func.min(OutboxMessage.next_attempt_at)).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now))


def erase_messages_of(registration_id: int) -> int:
    """Delete the outbox messages about one registration, sent or not (they hold its data)."""
    return erase_messages_about(sa.select(sa.literal(registration_id)))


def erase_messages_about(registration_ids: sa.Select) -> int:
    """Delete the outbox messages about the registrations this query selects, sent or not."""
    result = db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.registration_id.in_(registration_ids))
    )
    return result.rowcount or 0


def forget_delivered(*, sent_before: datetime) -> int:
    """Delete the messages about no registration that were delivered or given up on before
    `sent_before` (their recipient and subject name a person; a registration's own messages go
    with it). Messages still waiting to go out are kept."""
    result = db.session.execute(db.delete(OutboxMessage).where(
        OutboxMessage.registration_id.is_(None),
        OutboxMessage.status.in_((OutboxStatus.SENT, OutboxStatus.FAILED)),
        sa.func.coalesce(OutboxMessage.last_attempt_at, OutboxMessage.created_at) < sent_before))
    return result.rowcount or 0


def erase_invitation_messages(invitations: sa.Select) -> int:
    """Delete the invitation emails of the invitations this query selects (address, created_at).

    An invitation email is about no registration yet: it is the one queued to the invitation's
    address when the invitation was made.
    """
    sent = invitations.subquery()
    result = db.session.execute(db.delete(OutboxMessage).where(
        OutboxMessage.registration_id.is_(None),
        sa.exists().where(OutboxMessage.to_address == sent.c.email,
                          OutboxMessage.created_at == sent.c.created_at)))
    return result.rowcount or 0
