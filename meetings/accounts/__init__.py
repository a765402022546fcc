"""Organizer accounts: log in and out, admins manage organizers."""

from meetings.accounts.views import bp

__all__ = ["bp"]
