"""For a real SMTP server in tests (aiosmtpd): an inbox that keeps what it receives, a free port."""

import email
import socket
from datetime import UTC, datetime

from meetings.mail.sender import deliver_pending, smtp_settings


class Inbox:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.original_content))
        return "250 OK"

    def bodies(self, part="plain") -> list[str]:
        found = []
        for message in self.messages:
            for piece in message.walk():
                if piece.get_content_type() == f"text/{part}":
                    found.append(piece.get_payload(decode=True).decode(
                        piece.get_content_charset() or "utf-8"))
        return found


class DeliveredInbox:
    """An inbox read after one mail-worker pass: requests only queue mail, the worker sends it."""

    def __init__(self, app, inbox: Inbox):
        self.app, self.inbox = app, inbox

    @property
    def messages(self) -> list[email.message.Message]:
        with self.app.app_context():
            deliver_pending(datetime.now(UTC), smtp_settings(self.app.config))
        return self.inbox.messages

    def bodies(self, part="plain") -> list[str]:
        self.messages  # noqa: B018  (delivers what is queued)
        return self.inbox.bodies(part)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
