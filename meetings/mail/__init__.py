"""Outgoing email: an outbox filled in the caller's transaction, delivered by the mail worker."""

from meetings.mail.views import bp

__all__ = ["bp"]
