"""Badges: one per approved registration, printed as PDF, with an Ed25519-signed code that a
scanner verifies offline against the edition's public key and revocation list. Built on
registration and attendance, which it hears through signals (receivers.py)."""

from meetings.badges import manage_views, receivers, views  # noqa: F401  (pages on bp; receivers)
from meetings.badges.blueprint import bp

__all__ = ["bp"]
