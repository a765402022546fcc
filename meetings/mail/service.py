"""Queue messages in the outbox (inside the caller's transaction; nothing is sent here)."""

from datetime import datetime

from flask import g, has_app_context

from meetings.extensions import db
from meetings.mail.models import OutboxMessage


def queue_message(to_address: str, subject: str, text_body: str, html_body: str = "", *,
                  now: datetime, registration_id: int | None = None) -> OutboxMessage:
    """Add a message to the outbox; it is sent after the surrounding transaction commits."""
    message = OutboxMessage(to_address=to_address, subject=subject[:300], text_body=text_body,
                            html_body=html_body, created_at=now, next_attempt_at=now,
                            registration_id=registration_id)
    db.session.add(message)
    db.session.flush()
    if has_app_context():
        g.setdefault("queued_mail_ids", []).append(message.id)
    return message


def erase_messages_of(registration_id: int) -> int:
    """Delete the outbox messages about one registration, sent or not (they hold its data)."""
    result = db.session.execute(
        db.delete(OutboxMessage).where(OutboxMessage.registration_id == registration_id)
    )
    return result.rowcount or 0
