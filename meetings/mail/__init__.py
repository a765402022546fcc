"""Outgoing email: an outbox filled in the caller's transaction, delivered by the mail worker."""

from meetings.mail import views  # noqa: F401  (their pages are on bp)
from meetings.mail.blueprint import bp

__all__ = ["bp"]
