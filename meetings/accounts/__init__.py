"""Organizer accounts: login with a second factor, passwords, invitations, account admin."""

from meetings.accounts import (  # noqa: F401  (their pages are on bp)
    manage_views,
    password_views,
    two_factor_views,
    views,
)
from meetings.accounts.blueprint import bp

__all__ = ["bp"]
